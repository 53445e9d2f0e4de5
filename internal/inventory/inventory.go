// Package inventory loads the fleet description: hosts/fleet.toml with fleet-wide defaults and one
// hosts/<name>/host.toml per host. The same files are read by the flake with builtins.fromTOML, so
// decoding here is strict: whatever Go accepts, Nix sees identically, and whatever is misspelt is
// reported with file, line and field instead of being silently ignored.
//
// Entry point: [Load] reads and validates hosts/ into a [Fleet] (its [Host]s with the defaults
// applied; every problem an [Error] at file, line and field); [WriteTable], [WriteJSON] and
// [WriteHost] print it.
package inventory

import (
	"errors"
	"fmt"
	"github.com/nixos-hub/hub/internal/tomlfile"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// Build locations.
const (
	BuildLocal  = "local"  // build on the machine running the hub
	BuildTarget = "target" // build on the host being deployed
	BuildHost   = "host"   // build on a named build host from the inventory
)

// System-running policies for the `systemctl is-system-running` health gate.
const (
	SystemRunning  = "running"  // only "running" is healthy
	SystemDegraded = "degraded" // "running" or "degraded" are healthy
	SystemIgnore   = "ignore"   // the state is not checked
)

// Fleet is a loaded, validated inventory.
type Fleet struct {
	Dir   string  // the hosts/ directory
	Flake string  // absolute flake reference whose nixosConfigurations are deployed
	Hosts []*Host // sorted by name
	// Alerts is fleet.toml's [alerts]: the receivers Alertmanager notifies (alerts.go).
	Alerts Alerts
}

// Host is one machine, with the fleet defaults already applied.
type Host struct {
	Name        string
	Description string
	Class       string
	System      string
	Hardware    string
	Tags        []string
	Roles       []string
	Features    []string
	Guarded     bool
	SSH         SSH
	Build       Build
	Deploy      Deploy
	Health      []HealthCheck
	Backups     []BackupSet // restic backup sets, [[backup]] tables (see backup.go)
	Users       Users       // who may log in: the fleet's and the host's authorized_keys (users.go)
	MicroVMs    []MicroVM   // development VMs, [[microvm]] tables (see microvm.go)
	File        string      // the host.toml it came from
}

// SSH says how the hub reaches a host.
type SSH struct {
	Destination string   // address or ssh_config alias
	User        string   // empty: whatever ssh_config says
	Port        int      // 0: whatever ssh_config says
	Options     []string // extra "Key=Value" options passed as ssh -o
	Sudo        bool     // run privileged commands through sudo -n
	// SudoPass: sudo on the host asks the user's password. A deploy asks it once on the
	// terminal and hands it to sudo through a one-shot askpass (internal/command), never argv or env.
	SudoPass bool
}

// Build says where a host's system is built.
type Build struct {
	On                      string // BuildLocal, BuildTarget or BuildHost
	Host                    string // the build host when On is BuildHost
	SubstituteOnDestination bool   // let the target fetch from its substituters during copy
}

// Deploy holds the per-host deploy policy.
type Deploy struct {
	BootMinFreeMiB int           // refuse to activate when /boot has less free space
	ConfirmTimeout time.Duration // magic rollback: confirm over a new connection within this
	SystemRunning  string        // SystemRunning, SystemDegraded or SystemIgnore

	// Deadlines of the remote steps, so that a slow or hung host fails alone and in bounded
	// time. A slow link (a laptop on a phone) wants a longer copy, a big host a longer reboot.
	StepTimeout       time.Duration // each short step: the lock, /boot's free space; default 1m
	CopyTimeout       time.Duration // each nix copy attempt (and a copy to the build host); default 1h
	ActivationTimeout time.Duration // switch-to-configuration, reconnections included; default 30m
	RebootTimeout     time.Duration // a -reboot until the host answers with a new boot id; default 10m
}

// Where a health check runs (health.go has the rules).
const (
	FromTarget = "target" // on the host being deployed, over the hub's ssh connection to it
	FromHub    = "hub"    // on the machine running the hub, against the host's address
)

// HealthCheck is one post-activation check; exactly one of Unit, HTTP, TCP and Command is set.
type HealthCheck struct {
	Unit    string
	HTTP    string
	TCP     string
	Command string
	// From is FromTarget or FromHub for tcp and http checks (FromHub when host.toml says
	// nothing); unit and command checks always run on the target. See RunsOn.
	From    string
	Status  int // expected HTTP status
	Timeout time.Duration
	Retries int
}

// Kind names which check this is.
func (c HealthCheck) Kind() string {
	switch {
	case c.Unit != "":
		return "unit"
	case c.HTTP != "":
		return "http"
	case c.TCP != "":
		return "tcp"
	default:
		return "command"
	}
}

// Target is what the check looks at, for messages.
func (c HealthCheck) Target() string {
	return c.Unit + c.HTTP + c.TCP + c.Command
}

// RunsOn says where the check runs: FromTarget or FromHub. Unit and command checks are
// systemctl and shell commands on the host; tcp and http checks run where From says, and
// from the hub when it is empty (a HealthCheck built in code, or an old host.toml that
// validation accepted because the address is not a loopback one).
func (c HealthCheck) RunsOn() string {
	switch c.Kind() {
	case "unit", "command":
		return FromTarget
	}
	if c.From == FromTarget {
		return FromTarget
	}
	return FromHub
}

// Host returns the host with that name.
func (f *Fleet) Host(name string) (*Host, bool) {
	i := slices.IndexFunc(f.Hosts, func(h *Host) bool { return h.Name == name })
	if i < 0 {
		return nil, false
	}
	return f.Hosts[i], true
}

// Lookup is Host for a name a person typed: its error names the inventory and its hosts.
func (f *Fleet) Lookup(name string) (*Host, error) {
	if h, ok := f.Host(name); ok {
		return h, nil
	}
	return nil, fmt.Errorf("no host %q in %s (hosts: %s)", name, f.Dir, strings.Join(f.Names(), ", "))
}

// Names lists the host names in order.
func (f *Fleet) Names() []string {
	names := make([]string, len(f.Hosts))
	for i, h := range f.Hosts {
		names[i] = h.Name
	}
	return names
}

// hasTag reports whether the host carries the tag.
func (h *Host) hasTag(t string) bool { return slices.Contains(h.Tags, t) }

// HasRole reports whether the host has the role.
func (h *Host) HasRole(r string) bool { return slices.Contains(h.Roles, r) }

// Error is one problem of the inventory, at a file, line and field.
type Error = tomlfile.Error

// Load reads and validates the inventory in dir (the hosts/ directory). Every problem found is
// returned, joined, so one run of hosts:check shows them all.
func Load(dir string) (*Fleet, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("inventory %s: %w", dir, err)
	}
	var errs []error
	fleetFile := filepath.Join(abs, "fleet.toml")
	var fr rawFleet
	if _, err := os.Stat(fleetFile); err == nil {
		fr, errs = decodeFleet(fleetFile)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	f := &Fleet{Dir: abs, Flake: resolveFlake(abs, fr.Flake)}
	alerts, aerrs := decodeAlerts(fleetFile, fr.Alerts)
	f.Alerts = alerts
	errs = append(errs, aerrs...)

	entries, err := os.ReadDir(abs)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		file := filepath.Join(abs, e.Name(), "host.toml")
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			continue // a directory without host.toml is not a host (e.g. shared Nix files)
		}
		h, herrs := decodeHost(file, e.Name(), fr.Defaults)
		errs = append(errs, herrs...)
		if h != nil {
			f.Hosts = append(f.Hosts, h)
		}
	}
	sort.Slice(f.Hosts, func(i, j int) bool { return f.Hosts[i].Name < f.Hosts[j].Name })
	if len(f.Hosts) == 0 && len(errs) == 0 {
		errs = append(errs, &Error{File: abs, Msg: "no hosts: add <name>/host.toml (see docs/inventory.md)"})
	}
	errs = append(errs, f.crossCheck()...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return f, nil
}

func resolveFlake(dir, ref string) string {
	if ref == "" {
		ref = ".."
	}
	if strings.Contains(ref, ":") { // already a flake URL (github:, path:, git+https:...)
		return ref
	}
	if !filepath.IsAbs(ref) {
		ref = filepath.Join(dir, ref)
	}
	return filepath.Clean(ref)
}

// crossCheck validates what involves more than one host.
func (f *Fleet) crossCheck() []error {
	var errs []error
	dests := map[string]string{}
	for _, h := range f.Hosts {
		// Two hosts behind one destination is a copy-paste slip that would deploy one
		// system over another.
		dest := fmt.Sprintf("%s:%d", h.SSH.Destination, h.SSH.Port)
		if other, ok := dests[dest]; ok {
			errs = append(errs, &Error{File: h.File, Line: findLine(h.File, []string{"ssh", "destination"}), Field: "ssh.destination",
				Msg: fmt.Sprintf("%s is also the destination of host %q", dest, other)})
		}
		dests[dest] = h.Name
	}
	for _, h := range f.Hosts {
		if h.Build.On != BuildHost {
			continue
		}
		b, ok := f.Host(h.Build.Host)
		switch {
		case !ok:
			errs = append(errs, &Error{File: h.File, Line: findLine(h.File, []string{"build", "host"}), Field: "build.host",
				Msg: fmt.Sprintf("unknown build host %q (hosts: %s)", h.Build.Host, strings.Join(f.Names(), ", "))})
		case b.System != h.System:
			errs = append(errs, &Error{File: h.File, Line: findLine(h.File, []string{"build", "host"}), Field: "build.host",
				Msg: fmt.Sprintf("build host %q is %s but %s is %s", b.Name, b.System, h.Name, h.System)})
		}
	}
	return errs
}
