package features

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/nixos-hub/hub/internal/inventory"
)

// Host is what resolution needs from a host.toml.
type Host struct {
	Name     string
	Class    string
	Hardware string
	Features []string
}

// Resolution is a host's resolved feature set. Its JSON form is exactly what nix/features.nix
// returns, which is how the tests compare the two implementations.
type Resolution struct {
	Enabled []string            `json:"enabled"`
	Reasons map[string][]string `json:"reasons"`
	Errors  []string            `json:"errors"`
}

// Reason strings, shared with nix/features.nix.
const (
	ReasonDefault  = "default for every host"
	ReasonHardware = "hardware profile of the host"
	ReasonListed   = "listed in host.toml"
)

// Resolve computes the host's enabled set: every default feature that does not conflict with the
// host's choices, the hardware profile, the listed features and, transitively, what they require. Each enabled feature carries the reasons
// it is on; errors name the host and the features involved. Mirror any change in nix/features.nix.
func (r *Registry) Resolve(h Host) Resolution {
	known := func(n string) bool { return r.Features[n] != nil }
	hardwareOK := known(h.Hardware) && r.Features[h.Hardware].Category == "hardware"

	// The host's own choices first: a default feature that conflicts with one of them (or with
	// what they require) yields instead of failing the host. That is how a host picks another
	// owner of /etc/resolv.conf (static-dns) over the default one (resolved). A yielded default
	// that is still required comes back through the closure and is reported as a conflict.
	var chosen []string
	if hardwareOK {
		chosen = append(chosen, h.Hardware)
	}
	for _, n := range h.Features {
		if known(n) {
			chosen = append(chosen, n)
		}
	}
	var chosenClosure []string
	for _, s := range chosen {
		chosenClosure = append(chosenClosure, r.Closure(s)...)
	}
	var defaults []string
	for _, n := range r.Names() {
		if r.Features[n].Default && !slices.ContainsFunc(chosenClosure, func(c string) bool { return r.Conflicting(n, c) }) {
			defaults = append(defaults, n)
		}
	}
	seeds := append(slices.Clone(defaults), chosen...)
	on := map[string]bool{}
	for _, s := range seeds {
		for _, n := range r.Closure(s) {
			on[n] = true
		}
	}
	res := Resolution{Enabled: []string{}, Reasons: map[string][]string{}, Errors: []string{}}
	for n := range on {
		res.Enabled = append(res.Enabled, n)
	}
	sort.Strings(res.Enabled)

	for _, n := range res.Enabled {
		reasons := []string{}
		if slices.Contains(defaults, n) { // a default that yielded is on for another reason only
			reasons = append(reasons, ReasonDefault)
		}
		if hardwareOK && n == h.Hardware {
			reasons = append(reasons, ReasonHardware)
		}
		if slices.Contains(h.Features, n) {
			reasons = append(reasons, ReasonListed)
		}
		for _, by := range res.Enabled {
			if slices.Contains(r.Features[by].Requires, n) {
				reasons = append(reasons, "required by "+by)
			}
		}
		res.Reasons[n] = reasons
	}

	host := fmt.Sprintf("host \"%s\"", h.Name)
	for _, n := range h.Features {
		if !known(n) {
			res.Errors = append(res.Errors, fmt.Sprintf("%s: unknown feature \"%s\" in host.toml", host, n))
		}
	}
	if !hardwareOK {
		res.Errors = append(res.Errors, fmt.Sprintf("%s: hardware \"%s\" is not a hardware feature in modules/features.toml", host, h.Hardware))
	}
	for _, a := range res.Enabled {
		for _, b := range res.Enabled {
			if a < b && r.Conflicting(a, b) {
				res.Errors = append(res.Errors, fmt.Sprintf("%s: feature \"%s\" conflicts with feature \"%s\"", host, a, b))
			}
		}
	}
	for _, n := range res.Enabled {
		f := r.Features[n]
		if len(f.Classes) > 0 && !slices.Contains(f.Classes, h.Class) {
			res.Errors = append(res.Errors, fmt.Sprintf("%s: feature \"%s\" does not suit class \"%s\" (suits: %s)",
				host, n, h.Class, strings.Join(f.Classes, ", ")))
		}
	}
	return res
}

// LoadHosts reads every host of the inventory under hostsDir (hosts/fleet.toml and
// hosts/<name>/host.toml) through internal/inventory, the one strict reader of those files.
func LoadHosts(hostsDir string) ([]Host, error) {
	fleet, err := inventory.Load(hostsDir)
	if err != nil {
		return nil, fmt.Errorf("features: reading hosts from %s: %w", hostsDir, err)
	}
	var hosts []Host
	for _, name := range fleet.Names() {
		h, _ := fleet.Host(name)
		hosts = append(hosts, Host{Name: name, Class: h.Class, Hardware: h.Hardware, Features: slices.Clone(h.Features)})
	}
	return hosts, nil
}

// CheckHosts resolves every host and returns its errors, host by host in the given order.
func (r *Registry) CheckHosts(hosts []Host) []error {
	var errs []error
	for _, h := range hosts {
		for _, e := range r.Resolve(h).Errors {
			errs = append(errs, errors.New(e))
		}
	}
	return errs
}

// RegistryPath is the registry file inside a checkout of the hub.
func RegistryPath(root string) string { return filepath.Join(root, "modules", "features.toml") }

// HostsDir is the inventory directory inside a checkout of the hub.
func HostsDir(root string) string { return filepath.Join(root, "hosts") }

// ConfigFiles lists, for each host, the repository files its NixOS configuration reads, relative
// to the repository root: the module of every feature it enables ("modules/<module>") and its
// own directory ("hosts/<name>/", a prefix). Checks of what the configuration uses (the agenix
// secrets a module reads) judge each host by these.
func (r *Registry) ConfigFiles(hosts []Host) map[string][]string {
	files := map[string][]string{}
	for _, h := range hosts {
		for _, f := range r.Resolve(h).Enabled {
			files[h.Name] = append(files[h.Name], "modules/"+r.Features[f].Module)
		}
		files[h.Name] = append(files[h.Name], "hosts/"+h.Name+"/")
	}
	return files
}
