package features

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/nixos-hub/hub/internal/inventory"
)

// Check validates the registry as a graph and against the module files next to it. It returns
// every problem found (not just the first) in a stable order: per-feature field errors, unknown
// references, requirement cycles, unsatisfiable features, then module files.
func (r *Registry) Check() []error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{r.File}, args...)...))
	}
	names := r.Names()

	for _, n := range names {
		f := r.Features[n]
		if !nameRe.MatchString(n) {
			add("feature %q: invalid name (want [a-z0-9][a-z0-9-]*)", n)
		}
		if !slices.Contains(Categories(), f.Category) {
			add("feature %q: unknown category %q (want one of %s)", n, f.Category, strings.Join(Categories(), ", "))
		}
		if strings.TrimSpace(f.Description) == "" {
			add("feature %q: description is empty", n)
		}
		if len(f.Classes) == 0 {
			add("feature %q: classes is empty (list the host classes it suits)", n)
		}
		for _, c := range f.Classes {
			if !slices.Contains(Classes(), c) {
				add("feature %q: unknown class %q (want one of %s)", n, c, strings.Join(Classes(), ", "))
			}
		}
		switch {
		case f.CostMB != nil && *f.CostMB < 0:
			add("feature %q: cost_mb %d is negative", n, *f.CostMB)
		case f.CostMB != nil && strings.TrimSpace(f.CostSource) == "":
			add("feature %q: cost_mb without cost_source (say where the number comes from)", n)
		case f.CostMB == nil && f.CostSource != "":
			add("feature %q: cost_source without cost_mb", n)
		}
		for _, req := range f.Requires {
			switch {
			case req == n:
				add("feature %q requires itself", n)
			case r.Features[req] == nil:
				add("feature %q requires unknown feature %q", n, req)
			}
		}
		for _, c := range f.Conflicts {
			switch {
			case c == n:
				add("feature %q conflicts with itself", n)
			case r.Features[c] == nil:
				add("feature %q conflicts with unknown feature %q", n, c)
			}
		}
	}
	for _, hw := range HardwareProfiles() {
		if f := r.Features[hw]; f == nil || f.Category != "hardware" {
			add("hardware profile %q must be a feature of category \"hardware\" (host.toml's hardware field enables it)", hw)
		}
	}

	for _, cycle := range r.cycles() {
		add("requires cycle: %s", strings.Join(cycle, " -> "))
	}

	for _, n := range names {
		closure := r.Closure(n)
		for i, a := range closure {
			for _, b := range closure[i+1:] {
				if !r.Conflicting(a, b) {
					continue
				}
				switch {
				case a == n || b == n:
					other := a
					if a == n {
						other = b
					}
					add("feature %q can never be enabled: it requires %q, which conflicts with it", n, other)
				default:
					add("feature %q can never be enabled: its requirements %q and %q conflict", n, a, b)
				}
			}
		}
	}

	return append(errs, r.checkModules()...)
}

// cycles returns each elementary requires cycle once, rotated to start at its smallest name, so
// the same cycle is reported identically whichever feature the search starts from.
func (r *Registry) cycles() [][]string {
	seen := map[string]bool{}
	var out [][]string
	var path []string
	onPath := map[string]int{}
	var visit func(string)
	visit = func(n string) {
		if i, ok := onPath[n]; ok {
			cycle := slices.Clone(path[i:])
			min := 0
			for j := range cycle {
				if cycle[j] < cycle[min] {
					min = j
				}
			}
			cycle = append(cycle[min:], cycle[:min]...)
			cycle = append(cycle, cycle[0])
			key := strings.Join(cycle, " ")
			if !seen[key] {
				seen[key] = true
				out = append(out, cycle)
			}
			return
		}
		f := r.Features[n]
		if f == nil {
			return
		}
		onPath[n] = len(path)
		path = append(path, n)
		reqs := slices.Clone(f.Requires)
		sort.Strings(reqs)
		for _, req := range reqs {
			if req != n {
				visit(req)
			}
		}
		path = path[:len(path)-1]
		delete(onPath, n)
	}
	for _, n := range r.Names() {
		visit(n)
	}
	sort.Slice(out, func(i, j int) bool { return strings.Join(out[i], " ") < strings.Join(out[j], " ") })
	return out
}

// checkModules matches registry entries with the .nix files under the registry's directory: each
// entry's file exists, no file serves two features, and no module sits there unregistered (it
// would never be imported, which is how the old repository's flags rotted).
func (r *Registry) checkModules() []error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{r.File}, args...)...))
	}
	owner := map[string]string{}
	for _, n := range r.Names() {
		m := r.Features[n].Module
		clean := filepath.ToSlash(filepath.Clean(m))
		switch {
		case m == "":
			add("feature %q: module is empty", n)
			continue
		case filepath.IsAbs(m) || clean == ".." || strings.HasPrefix(clean, "../"):
			add("feature %q: module %q is outside %s", n, m, r.Dir)
			continue
		case !strings.HasSuffix(m, ".nix"):
			add("feature %q: module %q is not a .nix file", n, m)
			continue
		}
		if prev, ok := owner[clean]; ok {
			add("module %q is used by features %q and %q", m, prev, n)
			continue
		}
		owner[clean] = n
		if _, err := fs.Stat(os.DirFS(r.Dir), clean); err != nil {
			add("feature %q: module %q does not exist", n, m)
		}
	}

	var files []string
	err := filepath.WalkDir(r.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// modules/lib/ holds what modules import (unit settings, option sets), not modules.
		if d.IsDir() && path == filepath.Join(r.Dir, "lib") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".nix") {
			rel, err := filepath.Rel(r.Dir, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return append(errs, fmt.Errorf("%s: listing modules: %w", r.File, err))
	}
	sort.Strings(files)
	for _, f := range files {
		if _, ok := owner[f]; !ok {
			add("module %q is not in the registry", f)
		}
	}
	return errs
}

// Err joins problems into one error, nil when there are none.
func Err(problems []error) error { return errors.Join(problems...) }

// CheckGuests reports [[microvm]] guest features the registry does not have, at the guest's
// line: the guest is a NixOS system built with the same registry (modules/virtualization/
// microvm.nix), where an unknown name would fail only at evaluation.
func (r *Registry) CheckGuests(fleet *inventory.Fleet) []error {
	var errs []error
	for _, h := range fleet.Hosts {
		for i, vm := range h.MicroVMs {
			for _, name := range vm.Features {
				if _, ok := r.Features[name]; !ok {
					errs = append(errs, &inventory.Error{File: h.File, Line: vm.Line, Field: fmt.Sprintf("microvm[%d].features", i),
						Msg: fmt.Sprintf("guest %q: feature %q is not in %s", vm.Name, name, r.File)})
				}
			}
		}
	}
	return errs
}

// GuestHardware is the hardware profile every [[microvm]] guest gets (modules/lib/microvm-guests.nix).
const GuestHardware = "microvm-guest"

// Guests are the fleet's [[microvm]] guests as the feature resolution sees them, the way
// modules/lib/microvm-guests.nix writes their host.toml: servers with hardware profile
// microvm-guest and the table's features, named HOST/GUEST.
func Guests(fleet *inventory.Fleet) []Host {
	var out []Host
	for _, h := range fleet.Hosts {
		for _, vm := range h.MicroVMs {
			out = append(out, Host{Name: h.Name + "/" + vm.Name, Class: "server", Hardware: GuestHardware, Features: slices.Clone(vm.Features)})
		}
	}
	return out
}
