// Package fleettest starts local fleets (internal/localfleet) for tests, with the one prologue every
// such test needs: skip under -short, without root, or without the tools the fleet (and the
// test) calls, and tear the fleet down when the test ends.
//
// Start boots a fleet; Need and NeedSystemd are the skips alone, for tests that start a fleet
// in their own way; Inventory loads the inventory a fleet generated, AppendHostTOML adds tables
// to it, Sh runs a script on a host, and LoopbackBlock gives the fleet's addresses for test servers.
package fleettest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
)

// Need skips t where a local fleet cannot run: -short (these are integration tests), not root
// (the hosts are mount and pid namespaces), or a missing tool: the fleet's own and tools.
func Need(t testing.TB, tools ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: starts a local fleet")
	}
	if os.Geteuid() != 0 {
		t.Skip("the local fleet needs root (mount namespaces)")
	}
	for _, tool := range append([]string{"nix", "unshare", "sshd", "ssh"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			if _, err := os.Stat("/usr/sbin/" + tool); err != nil {
				t.Skipf("the local fleet needs %s (go tool mage test:parallel installs it)", tool)
			}
		}
	}
}

// NeedSystemd is Need for a fleet with systemd hosts: systemd-nspawn and the cached root file
// system image too. Tests never build the image (a cold build downloads about 165 Debian
// packages; tests talk to loopback only): `go tool mage fleet:image` does, and test:parallel
// before its suites.
func NeedSystemd(t testing.TB, tools ...string) {
	t.Helper()
	Need(t, tools...)
	if _, err := exec.LookPath("systemd-nspawn"); err != nil {
		t.Skip("systemd-nspawn not installed (Debian package systemd-container)")
	}
	if dir, ok := localfleet.CachedImage(""); !ok {
		t.Skipf("no systemd host image at %s: build it with `go tool mage fleet:image`", dir)
	}
}

// Start boots a local fleet of cfg (its Dir is made here, under /tmp: socket paths are short)
// after Need (NeedSystemd when cfg asks for systemd hosts), and takes it down when t ends.
func Start(t testing.TB, cfg localfleet.Config, tools ...string) *localfleet.Fleet {
	t.Helper()
	if cfg.Systemd || len(cfg.SystemdHosts) > 0 {
		NeedSystemd(t, tools...)
	} else {
		Need(t, tools...)
	}
	dir, err := os.MkdirTemp("/tmp", "hf")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Dir = dir
	lf, err := localfleet.Up(context.Background(), cfg)
	if err != nil {
		os.RemoveAll(dir)
		t.Fatalf("local fleet: %v", err)
	}
	t.Cleanup(func() {
		if err := lf.Down(context.Background()); err != nil {
			t.Errorf("local fleet down: %v", err)
		}
	})
	return lf
}

// Inventory loads the inventory lf generated.
func Inventory(t testing.TB, lf *localfleet.Fleet) *inventory.Fleet {
	t.Helper()
	inv, err := inventory.Load(lf.InventoryDir())
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// Mage compiles the repository's magefiles into one binary (go tool mage -compile), so that a
// test drives a target as a user does, through mage's generated main: its flags, its signal
// handling, its exit status. root is the repository root, the directory to run it in.
func Mage(t testing.TB) (bin, root string) {
	t.Helper()
	root, err := localfleet.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(t.TempDir(), "hub-mage")
	// go tool mage is internal/magerun: compiles of one magefiles directory take turns (test
	// packages run in parallel), so tests need no lock of their own.
	cmd := exec.Command("go", "tool", "mage", "-compile", bin)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go tool mage -compile: %v\n%s", err, out)
	}
	return bin, root
}

// NeedMicroVM skips t where the local fleet's MicroVMs cannot boot (internal/microvm's QEMU driver):
// a local fleet, QEMU, busybox, dropbear and a guest kernel at /vmlinuz.
func NeedMicroVM(t testing.TB) {
	t.Helper()
	Need(t, "qemu-system-x86_64", "busybox", "dropbear", "dropbearkey")
	if _, err := os.Stat("/vmlinuz"); err != nil {
		t.Skip("no guest kernel at /vmlinuz (Debian package linux-image-amd64; go tool mage test:parallel installs it)")
	}
}

// AppendHostTOML adds text (tables such as [[microvm]]) to the host.toml lf generated for host,
// as a user adds them to a repository host.toml.
func AppendHostTOML(t testing.TB, lf *localfleet.Fleet, host, text string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(lf.InventoryDir(), host, "host.toml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("\n" + text); err != nil {
		t.Fatal(err)
	}
}

// Sh runs script with sh -c as root on h over ssh (args are its $1, $2, ...) and returns its
// standard output; an error fails t. Each call is bounded at 30 seconds on a context of its
// own, not t's: cleanups, which run after t.Context() ends, call it too.
func Sh(t testing.TB, e *command.Executor, h *inventory.Host, script string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := e.SSH(h.Name, h.SSH).Output(ctx, append([]string{"sh", "-c", script, "sh"}, args...)...)
	if err != nil {
		t.Fatalf("host %s: %v", h.Name, err)
	}
	return out
}

// LoopbackBlock is the 127.0.X block of the fleet h belongs to ("127.0.X"), where a test puts
// the servers the hosts reach (DNS, an exporter) on addresses no host has, such as X.250. A fleet
// on fallback addressing (every host on 127.0.0.1) has no such block: t is skipped.
func LoopbackBlock(t testing.TB, h *inventory.Host) string {
	t.Helper()
	block := h.SSH.Destination[:max(strings.LastIndex(h.SSH.Destination, "."), 0)]
	if !strings.HasPrefix(block, "127.0.") || block == "127.0.0" {
		t.Skipf("the fleet is on fallback addressing (%s): no loopback block for the test's servers", h.SSH.Destination)
	}
	return block
}
