package sysdeps

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecide(t *testing.T) {
	missing := []Tool{Nix, NixInst, Restic}
	debian := map[string]string{"ID": "debian", "PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)"}
	ubuntu := map[string]string{"ID": "ubuntu", "ID_LIKE": "debian", "PRETTY_NAME": "Ubuntu 24.04"}
	fedora := map[string]string{"ID": "fedora", "PRETTY_NAME": "Fedora Linux 41"}
	tests := []struct {
		name    string
		missing []Tool
		euid    int
		osr     map[string]string
		apt     bool
		install string
		reason  string
	}{
		{name: "nothing missing", euid: 1000, osr: fedora},
		{name: "root on debian installs", missing: missing, osr: debian, apt: true, install: "nix-bin restic"},
		{name: "root on ubuntu installs", missing: missing, osr: ubuntu, apt: true, install: "nix-bin restic"},
		{name: "non-root on debian lists", missing: missing, euid: 1000, osr: debian, apt: true, reason: "not running as root"},
		{name: "root on fedora lists", missing: missing, osr: fedora, reason: "Fedora Linux 41 is not Debian-family with apt-get"},
		{name: "debian without apt-get", missing: missing, osr: debian, reason: "Debian GNU/Linux 12 (bookworm) is not Debian-family with apt-get"},
		{name: "no os-release", missing: missing, osr: map[string]string{}, apt: true, reason: "this system is not Debian-family with apt-get"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := decide(tt.missing, tt.euid, tt.osr, tt.apt)
			if got := strings.Join(p.Install, " "); got != tt.install {
				t.Errorf("install = %q, want %q", got, tt.install)
			}
			if p.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", p.Reason, tt.reason)
			}
		})
	}
}

func TestPlanError(t *testing.T) {
	p := decide([]Tool{NixInst, Nix, Promtool}, 1000, map[string]string{"ID": "debian"}, true)
	want := `missing tools (not running as root, so they were not installed):
  nix-instantiate            Debian package nix-bin                    needed for parsing and evaluating .nix files
  nix                        Debian package nix-bin                    needed for building, copying and evaluating NixOS systems
  promtool                   Debian package prometheus                 needed for checking metrics and alert rules
install them with: sudo apt-get install nix-bin prometheus
or, on NixOS or with Nix: nix develop (the flake's dev shell has every tool), then run the command again`
	if got := p.Error().Error(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if (plan{}).Error() != nil {
		t.Error("empty plan must not be an error")
	}
}

func TestCheckFindsAndMisses(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hub-fake-tool"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	present := Tool{Binary: "hub-fake-tool", Package: "x"}
	absent := Tool{Binary: "hub-absent-tool", Package: "y"}
	p := check([]Tool{present, absent, absent})
	if len(p.Missing) != 1 || p.Missing[0].Binary != "hub-absent-tool" {
		t.Fatalf("missing = %+v, want only hub-absent-tool once", p.Missing)
	}
}

func TestReadOSRelease(t *testing.T) {
	f := filepath.Join(t.TempDir(), "os-release")
	os.WriteFile(f, []byte("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nID_LIKE='x y'\n"), 0o644)
	m := readOSRelease(f)
	if m["ID"] != "debian" || m["PRETTY_NAME"] != "Debian GNU/Linux 12 (bookworm)" || m["ID_LIKE"] != "x y" {
		t.Errorf("parsed %v", m)
	}
}

// A tool that is found but does not work stops the run in one line naming it; each distinct
// tool is proved once, however many suites list it.
func TestWorks(t *testing.T) {
	calls := 0
	broken := Tool{"nix", "nix-bin", "builds", func(context.Context) error {
		calls++
		return errors.New("nix cannot build: error: no")
	}}
	fine := Tool{"ssh", "openssh-client", "ssh", func(context.Context) error { return nil }}
	err := works(context.Background(), []Tool{fine, broken, broken, SSHD})
	if err == nil || err.Error() != "nix is installed but does not work: nix cannot build: error: no" {
		t.Errorf("works = %v", err)
	}
	if calls != 1 {
		t.Errorf("broken tool checked %d times, want 1", calls)
	}
	if err := works(context.Background(), []Tool{fine, SSHD}); err != nil {
		t.Errorf("works(fine) = %v", err)
	}
}
