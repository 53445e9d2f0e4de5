package inventory

import (
	"fmt"
	"path"
	"strings"
)

// Select resolves a selection expression to hosts, in fleet order. The expression is a comma list
// of terms: a host name, a glob (p5*), @tag or @role, or @all; a term starting with ! removes what it
// matches. With only exclusions, they apply to the whole fleet. A term that matches nothing is an
// error (it is almost always a typo), and so is an empty result: a multi-host target never
// "succeeds" on zero hosts.
func (f *Fleet) Select(expr string) ([]*Host, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return nil, fmt.Errorf("empty host selection: name hosts, globs, @tag or @role (e.g. \"@laptop,p5*,!razer\"), or \"*\" for all")
	}
	include := map[string]bool{}
	exclude := map[string]bool{}
	anyInclude := false
	for _, raw := range strings.Split(expr, ",") {
		term := strings.TrimSpace(raw)
		neg := strings.HasPrefix(term, "!")
		term = strings.TrimPrefix(term, "!")
		if term == "" {
			return nil, fmt.Errorf("selection %q: empty term", expr)
		}
		matched, err := f.match(term)
		if err != nil {
			return nil, fmt.Errorf("selection %q: %w", expr, err)
		}
		if len(matched) == 0 {
			return nil, fmt.Errorf("selection %q: %q matches no host (hosts: %s)", expr, raw, strings.Join(f.Names(), ", "))
		}
		for _, h := range matched {
			if neg {
				exclude[h.Name] = true
			} else {
				include[h.Name] = true
			}
		}
		anyInclude = anyInclude || !neg
	}
	var out []*Host
	for _, h := range f.Hosts {
		if (include[h.Name] || !anyInclude) && !exclude[h.Name] {
			out = append(out, h)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("selection %q selects no host", expr)
	}
	return out, nil
}

func (f *Fleet) match(term string) ([]*Host, error) {
	var out []*Host
	if term == "@all" { // reserved: the whole fleet, however it is tagged
		return f.Hosts, nil
	}
	if strings.HasPrefix(term, "@") {
		label := term[1:]
		if !nameRe.MatchString(label) {
			return nil, fmt.Errorf("%q: a tag or role must match %s", term, nameRe)
		}
		for _, h := range f.Hosts {
			if h.hasTag(label) || h.HasRole(label) {
				out = append(out, h)
			}
		}
		return out, nil
	}
	if _, err := path.Match(term, ""); err != nil {
		return nil, fmt.Errorf("%q: bad glob: %w", term, err)
	}
	for _, h := range f.Hosts {
		if ok, _ := path.Match(term, h.Name); ok {
			out = append(out, h)
		}
	}
	return out, nil
}
