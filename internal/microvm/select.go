package microvm

import (
	"fmt"
	"path"
	"strings"

	"github.com/nixos-hub/hub/internal/inventory"
)

// Select resolves a guest selection: the hosts' selection syntax (names, globs, @tag, @role,
// !exclusions; see inventory.Select), where a term may also be HOST/VM with VM a guest name or a
// glob of guest names. A host term selects all the guests it declares. Like a host selection, it
// is an error to select nothing or to name a guest the host does not declare.
func Select(f *inventory.Fleet, expr string) ([]Guest, error) {
	var hostTerms []string
	type vmTerm struct{ host, pattern, raw string }
	var vmTerms []vmTerm
	for _, raw := range strings.Split(strings.TrimSpace(expr), ",") {
		term := strings.TrimSpace(raw)
		h, vm, ok := strings.Cut(term, "/")
		if !ok {
			hostTerms = append(hostTerms, term)
			continue
		}
		if strings.HasPrefix(h, "!") {
			return nil, fmt.Errorf("selection %q: exclude a guest's host (!%s), not one guest", expr, strings.TrimPrefix(h, "!"))
		}
		vmTerms = append(vmTerms, vmTerm{h, vm, term})
	}
	chosen := map[string]bool{}
	var out []Guest
	add := func(h *inventory.Host, v inventory.MicroVM) {
		id := h.Name + "/" + v.Name
		if !chosen[id] {
			chosen[id] = true
			out = append(out, Guest{Host: h, VM: v})
		}
	}
	if len(hostTerms) > 0 {
		hosts, err := f.Select(strings.Join(hostTerms, ","))
		if err != nil {
			return nil, err
		}
		for _, h := range hosts {
			for _, v := range h.MicroVMs {
				add(h, v)
			}
		}
	}
	for _, t := range vmTerms {
		hosts, err := f.Select(t.host)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, h := range hosts {
			for _, v := range h.MicroVMs {
				if ok, _ := path.Match(t.pattern, v.Name); ok {
					add(h, v)
					n++
				}
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("selection %q: %q matches no declared guest (%s)", expr, t.raw, declared(hosts))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("selection %q: no [[microvm]] guests on the selected hosts (docs/microvm.md)", expr)
	}
	return out, nil
}

func declared(hosts []*inventory.Host) string {
	var ids []string
	for _, h := range hosts {
		for _, v := range h.MicroVMs {
			ids = append(ids, h.Name+"/"+v.Name)
		}
	}
	if len(ids) == 0 {
		return "those hosts declare none"
	}
	return "declared: " + strings.Join(ids, ", ")
}
