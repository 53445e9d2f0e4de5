// Package localfleet runs a fleet of NixOS-shaped hosts on this machine: each host is a set of
// private mount, pid and UTS namespaces with its own /nix (a single-user Nix store with its own
// database and profiles) and /run, and an OpenSSH server on its own loopback address. Hosts are
// reached exactly like production ones (ssh with strict host key checking, nix copy over ssh,
// switch-to-configuration), so every multi-host hub target can run against them through the
// generated inventory (HUB_FLEET=local).
//
// The systems come from the demo flake in nix/localfleet, built with Nix builtins only; a
// per-fleet copy of it in the state directory carries the hosts' addresses and the variant
// (kernel, sshd config, failing unit, slow activation, generation) selected for each host.
package localfleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/renameio/v2"
)

// DefaultHosts are the names of the production fleet.
func DefaultHosts() []string { return []string{"p620", "p510", "razer", "dex5550", "samsung", "hp"} }

// EnvDir overrides the default state directory.
const EnvDir = "HUB_LOCALFLEET_DIR"

// Config says what fleet Up starts.
type Config struct {
	// Dir is the state directory; empty means DefaultDir. Keep it short: ssh control sockets
	// of the hub live below paths derived from it and unix socket paths are limited.
	Dir string
	// Hosts are the host names; empty means DefaultHosts.
	Hosts []string
	// Source is the demo flake directory (nix/localfleet); empty means found from the working
	// directory upwards.
	Source string
	// RepoHosts is the repository's hosts/ directory, whose host.toml files lend roles, tags and
	// features to the generated inventory; empty means <repo>/hosts next to Source.
	RepoHosts string
	// Systemd makes every host a systemd host: systemd as pid 1 of a container, sshd a unit,
	// journald (nix/localfleet/README.md, "systemd hosts"). SystemdHosts makes only the named
	// hosts systemd hosts. The default is the lightweight host, which boots in milliseconds.
	Systemd      bool
	SystemdHosts []string
	// Image says where the systemd hosts' root file system is cached and where a build's
	// progress goes (it is built when not cached).
	Image ImageOptions
}

// systemdHost reports whether the config makes the named host a systemd host.
func (c Config) systemdHost(name string) bool {
	return c.Systemd || slices.Contains(c.SystemdHosts, name)
}

// Host is one running host as recorded in the state file.
type Host struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	Port    int    `json:"port"`
	Dir     string `json:"dir"` // the host's directory: nix/ and run/ are its /nix and /run
	// Launcher is the unshare process (a child of the process that booted the host); Init is
	// pid 1 of the host's pid namespace. Start times guard against pid reuse after a crash.
	Launcher      int    `json:"launcher"`
	LauncherStart uint64 `json:"launcher_start"`
	Init          int    `json:"init"`
	InitStart     uint64 `json:"init_start"`
	PidNS         string `json:"pid_ns"` // e.g. "pid:[4026532301]"
	MntNS         string `json:"mnt_ns"`
	// Systemd hosts boot Image in a container (systemd.go) whose cgroups are Cgroups.
	Systemd bool     `json:"systemd,omitempty"`
	Image   string   `json:"image,omitempty"`
	Cgroups []string `json:"cgroups,omitempty"`
}

// Destination is the ssh destination of the host as the inventory names it.
func (h Host) Destination() string { return h.Address }

type state struct {
	Dir   string `json:"dir"`
	Block int    `json:"block"` // third octet of the claimed 127.0.X.0/24, 0 on the fallback
	Hosts []Host `json:"hosts"`
}

// Fleet is a started local fleet. Its methods are safe for concurrent use.
type Fleet struct {
	dir string
	mu  sync.Mutex // guards st, the state file and variants.json
	st  state
}

// DefaultDir is $HUB_LOCALFLEET_DIR, or <repo>/.hub/localfleet for the repository containing the
// working directory.
func DefaultDir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return filepath.Abs(d)
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, ".hub", "localfleet"), nil
}

// InventoryDir is where the fleet in state directory dir keeps its generated inventory.
func InventoryDir(dir string) string { return filepath.Join(dir, "inventory") }

// RepoRoot finds the repository root, the directory holding nix/localfleet/flake.nix from the working directory up,
// which works both for `go test ./internal/localfleet` and for mage at the repository root.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("localfleet: %w", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "nix", "localfleet", "flake.nix")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("localfleet: no nix/localfleet/flake.nix in %s or above", wd)
		}
	}
}

func statePath(dir string) string { return filepath.Join(dir, "state.json") }

// Open attaches to the fleet whose state is in dir (started by this or another process).
func Open(dir string) (*Fleet, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("localfleet: %w", err)
	}
	b, err := os.ReadFile(statePath(abs))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("localfleet %s: no fleet is up (no state file): %w", abs, err)
		}
		return nil, fmt.Errorf("localfleet %s: %w", abs, err)
	}
	f := &Fleet{dir: abs}
	if err := json.Unmarshal(b, &f.st); err != nil {
		return nil, fmt.Errorf("localfleet %s: state file: %w", abs, err)
	}
	return f, nil
}

// Dir is the fleet's state directory.
func (f *Fleet) Dir() string { return f.dir }

// InventoryDir is the generated inventory (fleet.toml and <host>/host.toml).
func (f *Fleet) InventoryDir() string { return InventoryDir(f.dir) }

// FlakeDir is the per-fleet flake whose nixosConfigurations are the hosts' systems.
func (f *Fleet) FlakeDir() string { return filepath.Join(f.dir, "flake") }

// FlakeRef is FlakeDir as a path: flake reference (path: avoids git tracking issues).
func (f *Fleet) FlakeRef() string { return "path:" + f.FlakeDir() }

// KnownHosts is the known_hosts file listing every host's key at its exact address and port.
func (f *Fleet) KnownHosts() string { return filepath.Join(f.dir, "known_hosts") }

// IdentityFile is the private key the hub logs in with.
func (f *Fleet) IdentityFile() string { return filepath.Join(f.dir, "id_ed25519") }

// Hosts lists the hosts in the order they were configured.
func (f *Fleet) Hosts() []Host {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.st.Hosts)
}

// Host returns the named host.
func (f *Fleet) Host(name string) (Host, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hostLocked(name)
}

func (f *Fleet) hostLocked(name string) (Host, error) {
	for i, h := range f.st.Hosts {
		if h.Name == name {
			if h.Systemd && !alive(h.Init, h.InitStart) && alive(h.Launcher, h.LauncherStart) {
				// The host rebooted itself (systemctl reboot over ssh, as a deploy's -reboot
				// does on a real host) and its launcher booted it again: find the new init.
				// Until nspawn's child execs the init it is nspawn, not yet in the host's mounts.
				if p, ok := findInit(h.Launcher); ok && !strings.Contains(p.cmd, "systemd-nspawn") {
					if pidNS, mntNS := nsOf(p.pid, "pid"), nsOf(p.pid, "mnt"); pidNS != "" && mntNS != "" {
						h.Init, h.InitStart, h.PidNS, h.MntNS = p.pid, p.start, pidNS, mntNS
						f.st.Hosts[i] = h
						_ = f.saveLocked() // the record is a cache of what /proc says
					}
				}
			}
			return h, nil
		}
	}
	return Host{}, fmt.Errorf("localfleet: no host %q in the fleet at %s", name, f.dir)
}

// SSHOptions are the ssh -o options the inventory gives every host: strict host key checking
// against the fleet's own known_hosts, only the fleet's key, and curve25519 key exchange.
//
// The key exchange is chosen because the local hosts' sshd is this machine's OpenSSH (Debian
// 12: 9.2), whose default sntrup761x25519 costs the client about 110 ms of CPU per new
// connection against 18 ms for curve25519 (measured with perf; benchmarks/RESULTS.md), and a
// deploy opens two per host (the master and the confirm's). A nixos-25.11 host runs OpenSSH 10,
// whose default mlkem768x25519 costs about what curve25519 does, so this keeps the local fleet's
// connections at a real fleet's price; the real fleet's key exchange stays ssh_config's choice.
func (f *Fleet) SSHOptions() []string {
	return []string{
		"UserKnownHostsFile=" + f.KnownHosts(),
		"IdentityFile=" + f.IdentityFile(),
		"IdentitiesOnly=yes",
		"StrictHostKeyChecking=yes",
		"KexAlgorithms=curve25519-sha256",
	}
}

// SSHArgs are the arguments for `ssh` reaching the host as root (the command follows).
func (f *Fleet) SSHArgs(name string) ([]string, error) {
	h, err := f.Host(name)
	if err != nil {
		return nil, err
	}
	args := []string{"-F", "none", "-p", fmt.Sprint(h.Port)}
	for _, o := range f.SSHOptions() {
		args = append(args, "-o", o)
	}
	return append(args, "-o", "BatchMode=yes", "-l", "root", h.Address), nil
}

// NixSSHOpts is NIX_SSHOPTS for `nix copy --to <StoreURI>` to the host. Nix 2.8 store URIs
// carry no port, so a port other than 22 (the fallback addressing) travels here as -p.
func (f *Fleet) NixSSHOpts(name string) (string, error) {
	h, err := f.Host(name)
	if err != nil {
		return "", err
	}
	s := "-F none -o BatchMode=yes"
	if h.Port != 22 {
		s += fmt.Sprintf(" -p %d", h.Port)
	}
	for _, o := range f.SSHOptions() {
		s += " -o " + o
	}
	return s, nil
}

// StoreURI is the ssh store URI of the host for nix copy (with NixSSHOpts).
func (f *Fleet) StoreURI(name string) (string, error) {
	h, err := f.Host(name)
	if err != nil {
		return "", err
	}
	return "ssh://root@" + h.Address, nil
}

func (f *Fleet) saveLocked() error {
	b, err := json.MarshalIndent(f.st, "", "  ")
	if err != nil {
		return fmt.Errorf("localfleet %s: state file: %w", f.dir, err)
	}
	if err := renameio.WriteFile(statePath(f.dir), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("localfleet %s: state file: %w", f.dir, err)
	}
	return nil
}

// waitFor polls cond until it reports done, fails, or the deadline passes.
func waitFor(ctx context.Context, timeout time.Duration, what string, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		done, err := cond()
		if done {
			return err
		}
		last = err
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("%s: %w (last error: %v)", what, ctx.Err(), last)
			}
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-tick.C:
		}
	}
}

// HostNames names a fleet of n hosts: the production names first, then host7, host8, ...
func HostNames(n int) ([]string, error) {
	if n < 1 || n > 254 {
		return nil, fmt.Errorf("localfleet: %d hosts: want 1..254", n)
	}
	names := DefaultHosts()
	for i := len(names) + 1; i <= n; i++ {
		names = append(names, fmt.Sprintf("host%d", i))
	}
	return names[:n], nil
}
