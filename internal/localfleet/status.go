package localfleet

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// HostStatus is what Status reports about one host.
type HostStatus struct {
	Name    string
	Address string
	Port    int
	Up      bool   // the host's init is alive
	SSHD    string // running, frozen, stopped or down
	SSHDPid int    // the listening sshd as this machine numbers it; 0 when not running
	System  string // /run/current-system
	Booted  string // /run/booted-system
	// Generation is the system profile generation that is running, 0 when the running system
	// is no generation (switch-to-configuration test of an unregistered system).
	Generation int
	// Profile is the profile's current generation (what the next boot runs after a switch or
	// boot).
	Profile        int
	RebootRequired bool // kernel, initrd, kernel-modules or systemd differ from the booted system
}

// Status reports every host's processes, running system and generations, read from /proc and
// the hosts' /run and profiles directories.
func (f *Fleet) Status() []HostStatus {
	var out []HostStatus
	for _, h := range f.Hosts() {
		s := HostStatus{Name: h.Name, Address: h.Address, Port: h.Port, SSHD: "down"}
		s.Up = alive(h.Init, h.InitStart)
		if s.Up {
			s.SSHD = "stopped"
			if p, err := sshd(h); err == nil {
				s.SSHDPid = p.pid
				s.SSHD = "running"
				if p.state == 'T' {
					s.SSHD = "frozen"
				}
			}
		}
		s.System, _ = os.Readlink(filepath.Join(h.runDir(), "current-system"))
		s.Booted, _ = os.Readlink(filepath.Join(h.runDir(), "booted-system"))
		profiles := filepath.Join(h.nixDir(), "var", "nix", "profiles")
		if link, err := os.Readlink(filepath.Join(profiles, "system")); err == nil {
			s.Profile = linkGeneration(link)
		}
		if s.System != "" {
			entries, _ := os.ReadDir(profiles)
			for _, e := range entries {
				if g := linkGeneration(e.Name()); g > 0 {
					if t, _ := os.Readlink(filepath.Join(profiles, e.Name())); t == s.System {
						s.Generation = g
					}
				}
			}
		}
		if s.System != "" && s.Booted != "" {
			s.RebootRequired = rebootRequired(h, s.Booted, s.System)
		}
		out = append(out, s)
	}
	return out
}

// linkGeneration parses "system-12-link" into 12.
func linkGeneration(name string) int {
	rest, ok := strings.CutPrefix(filepath.Base(name), "system-")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSuffix(rest, "-link"))
	if err != nil || !strings.HasSuffix(rest, "-link") {
		return 0
	}
	return n
}

// rebootRequired compares the link targets, as NixOS and comin do; the systems are store paths
// of the host, found under its nix directory.
func rebootRequired(h Host, booted, current string) bool {
	for _, part := range []string{"kernel", "initrd", "kernel-modules", "systemd"} {
		b, _ := os.Readlink(filepath.Join(h.Dir, booted, part))
		c, _ := os.Readlink(filepath.Join(h.Dir, current, part))
		if b != c {
			return true
		}
	}
	return false
}

// String renders one status line's running system briefly: the store path's name part.
func (s HostStatus) String() string {
	return fmt.Sprintf("%s %s:%d %s gen %d", s.Name, s.Address, s.Port, shortPath(s.System), s.Generation)
}

func shortPath(p string) string {
	if p == "" {
		return "-"
	}
	base := filepath.Base(p)
	if _, name, ok := strings.Cut(base, "-"); ok {
		return name
	}
	return base
}
