// Package features reads the feature registry (modules/features.toml), checks its dependency
// graph and resolves each host's enabled set exactly as nix/features.nix does, so a bad flag is
// caught in milliseconds instead of at NixOS evaluation.
package features

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Feature is one [features.<name>] table of the registry.
type Feature struct {
	Name        string   `toml:"-" json:"name"`
	Category    string   `toml:"category" json:"category"`
	Module      string   `toml:"module" json:"module"`
	Description string   `toml:"description" json:"description"`
	Requires    []string `toml:"requires" json:"requires"`
	Conflicts   []string `toml:"conflicts" json:"conflicts"`
	Classes     []string `toml:"classes" json:"classes"`
	Default     bool     `toml:"default" json:"default"`
	// CostMB is what enabling the feature adds to a host's closure, in MiB, declared because
	// the local fleet's nix has no nixpkgs to measure it with; CostSource says where the number
	// comes from. Unset (nil) when nobody has a number.
	CostMB     *int   `toml:"cost_mb" json:"cost_mb,omitempty"`
	CostSource string `toml:"cost_source" json:"cost_source,omitempty"`
}

// Registry is the parsed registry file. Module paths are relative to Dir, the directory holding
// the registry file, as nix/features-module.nix resolves them.
type Registry struct {
	File     string
	Dir      string
	Features map[string]*Feature
}

type rawRegistry struct {
	Features map[string]*Feature `toml:"features"`
}

var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Categories lists the categories a feature may belong to, in the order listings group them.
func Categories() []string {
	return []string{"core", "hardware", "desktop", "networking", "security", "development",
		"shell", "programs", "cloud", "fonts", "virtualization", "media", "monitoring", "backup", "ai"}
}

// Classes lists the host classes of docs/inventory.md.
func Classes() []string { return []string{"workstation", "server", "laptop"} }

// HardwareProfiles lists the values of host.toml's hardware field; each must be a registry
// feature of category "hardware", because the hardware field enables it.
func HardwareProfiles() []string { return []string{"amd-gpu", "nvidia-gpu", "intel-integrated"} }

// Load reads and strictly decodes a registry file: a TOML error or an unknown key is an error
// naming the file, because Nix would silently ignore a misspelt key such as "require".
func Load(file string) (*Registry, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("feature registry: %w", err)
	}
	var raw rawRegistry
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		return nil, fmt.Errorf("feature registry %s: %w", file, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = strings.Join(k, ".")
		}
		return nil, fmt.Errorf("feature registry %s: unknown key %s", file, strings.Join(keys, ", "))
	}
	if len(raw.Features) == 0 {
		return nil, fmt.Errorf("feature registry %s: no [features.<name>] tables", file)
	}
	for name, f := range raw.Features {
		f.Name = name
	}
	return &Registry{File: file, Dir: filepath.Dir(file), Features: raw.Features}, nil
}

// Names returns the feature names sorted, the order every listing and check uses.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.Features))
	for n := range r.Features {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Feature returns the named feature or an error that says where it was looked up.
func (r *Registry) Feature(name string) (*Feature, error) {
	f, ok := r.Features[name]
	if !ok {
		return nil, fmt.Errorf("feature %q is not in %s", name, r.File)
	}
	return f, nil
}

// Closure returns the features enabled by enabling name: name itself and everything it requires,
// transitively, sorted. Unknown requirements are left out (Check reports them).
func (r *Registry) Closure(name string) []string {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if seen[n] || r.Features[n] == nil {
			return
		}
		seen[n] = true
		for _, req := range r.Features[n].Requires {
			visit(req)
		}
	}
	visit(name)
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// RequiredBy returns the features that directly require name, sorted.
func (r *Registry) RequiredBy(name string) []string {
	var out []string
	for _, n := range r.Names() {
		if slices.Contains(r.Features[n].Requires, name) {
			out = append(out, n)
		}
	}
	return out
}

// Conflicting reports whether a and b conflict; a conflict declared on either side counts, as in
// nix/features.nix.
func (r *Registry) Conflicting(a, b string) bool {
	fa, fb := r.Features[a], r.Features[b]
	return (fa != nil && slices.Contains(fa.Conflicts, b)) || (fb != nil && slices.Contains(fb.Conflicts, a))
}

// ConflictsOf returns every feature that conflicts with name, in either direction, sorted.
func (r *Registry) ConflictsOf(name string) []string {
	var out []string
	for _, n := range r.Names() {
		if n != name && r.Conflicting(name, n) {
			out = append(out, n)
		}
	}
	return out
}
