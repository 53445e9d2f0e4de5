package localfleet

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/nix"
)

// requireSystemd skips where a systemd host cannot boot: no nspawn, or no cached image. Tests
// never build the image (a cold build downloads 165 packages from the Debian mirror: 50 s
// measured, 333 MB; tests talk to loopback only): `go tool mage fleet:image` does, and
// `test:parallel` before its suites run. With it cached TestSystemdHost takes about 9 s.
func requireSystemd(t *testing.T) {
	t.Helper()
	requireRoot(t)
	if testing.Short() {
		t.Skip("systemd hosts: not in -short")
	}
	if _, err := exec.LookPath("systemd-nspawn"); err != nil {
		t.Skip("systemd-nspawn not installed (Debian package systemd-container)")
	}
	if dir, ok := CachedImage(""); !ok {
		t.Skipf("no systemd host image at %s: build it with `go tool mage fleet:image` (about a minute, 340 MB from the Debian mirror)", dir)
	}
}

// inside runs a command on the host through its init (nsenter), for what ssh cannot reach: a
// host whose sshd a test has moved or stopped.
func inside(t *testing.T, f *Fleet, host string, args ...string) string {
	t.Helper()
	h, err := f.Host(host)
	if err != nil {
		t.Fatal(err)
	}
	out, err := inHost(t.Context(), h, args...)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func sshdMainPID(t *testing.T, f *Fleet, host string) string {
	t.Helper()
	return inside(t, f, host, "systemctl", "show", "-p", "MainPID", "--value", "sshd.service")
}

// TestSystemdHost boots a fleet of one systemd host (p620) and one lightweight host (razer) and
// checks what makes p620 a systemd host: systemd as pid 1, sshd as a unit, journald, units
// switched as NixOS switches them, failed units reported, and a reboot through its own init.
func TestSystemdHost(t *testing.T) {
	requireSystemd(t)
	const h = "p620"
	f, took := upFleetWith(t, Config{Hosts: []string{h, "razer"}, SystemdHosts: []string{h}})
	t.Logf("fleet of a systemd and a lightweight host up in %s", took)
	gen1 := status(t, f, h).System

	t.Run("systemd is pid 1, sshd a unit, journald runs, nix has the local settings", func(t *testing.T) {
		got := mustSSH(t, f, h, "cat /proc/1/comm; hostname; systemctl is-system-running; systemctl is-active sshd.service systemd-journald.service; readlink /run/booted-system /run/current-system; test -d /run/systemd/system && echo systemd-dir")
		want := fmt.Sprintf("systemd\n%s\nrunning\nactive\nactive\n%s\n%s\nsystemd-dir", h, gen1, gen1)
		if got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
		s := status(t, f, h)
		if s.SSHD != "running" || s.Generation != 1 || s.Booted != gen1 {
			t.Errorf("status: %+v", s)
		}
		// The sshd this machine sees listening is the unit's main process.
		if main := sshdMainPID(t, f, h); main == "0" || main == "" {
			t.Errorf("sshd.service has no main process (%q)", main)
		} else if p, err := sshd(mustHost(t, f, h)); err != nil || strconv.Itoa(p.nspid[len(p.nspid)-1]) != main {
			t.Errorf("the listening sshd %+v (%v) is not sshd.service's main pid %s", p, err, main)
		}
		if got := mustSSH(t, f, h, "cat /etc/nix/nix.conf"); got != strings.TrimSpace(nix.Local().Conf()) {
			t.Errorf("/etc/nix/nix.conf:\n%s\nwant internal/nix's local settings:\n%s", got, nix.Local().Conf())
		}
		if out := mustSSH(t, f, h, "journalctl -b -u sshd.service --no-pager -o cat"); !strings.Contains(out, "Server listening on") {
			t.Errorf("sshd's journal: %q", out)
		}
		// Transient units with the hardening NixOS services use run (DynamicUser allocates a
		// user from systemd's dynamic range, 61184-65519).
		out := mustSSH(t, f, h, "systemd-run --quiet --wait --pipe -p DynamicUser=yes -p ProtectSystem=strict id -u")
		if uid, err := strconv.Atoi(out); err != nil || uid < 61184 || uid > 65519 {
			t.Errorf("systemd-run -p DynamicUser=yes id -u: %q, want a uid in 61184-65519", out)
		}
		// The lightweight host beside it is unchanged.
		if out := mustSSH(t, f, "razer", "test -d /run/systemd/system && echo systemd || echo none"); out != "none" {
			t.Errorf("razer: %q", out)
		}
		inv, err := inventory.Load(f.InventoryDir())
		if err != nil {
			t.Fatal(err)
		}
		ih, _ := inv.Host(h)
		if ih.Deploy.SystemRunning != inventory.SystemRunning || len(ih.Health) == 0 || ih.Health[0].Unit != "sshd.service" {
			t.Errorf("inventory of a systemd host: system_running %q, health %+v", ih.Deploy.SystemRunning, ih.Health)
		}
	})

	t.Run("switch restarts changed units, starts new ones, reports failed ones", func(t *testing.T) {
		before := sshdMainPID(t, f, h)
		same := buildVariant(t, f, h, Variant{Generation: 2})
		nixCopy(t, f, h, same)
		if code, out := deploy(t, f, h, same, "switch"); code != 0 || strings.Contains(out, "restarting") {
			t.Errorf("switch to a generation with the same units: exit %d, %q", code, out)
		}
		if after := sshdMainPID(t, f, h); after != before {
			t.Errorf("sshd.service was restarted (%s -> %s) though its unit did not change", before, after)
		}

		failing := buildVariant(t, f, h, Variant{Generation: 3, FailingUnit: true})
		nixCopy(t, f, h, failing)
		code, out := deploy(t, f, h, failing, "dry-activate")
		if code != 0 || !strings.Contains(out, "would start the following units: localfleet-failing.service") || strings.Contains(out, "sshd") {
			t.Errorf("dry-activate: exit %d, %q", code, out)
		}
		code, out = deploy(t, f, h, failing, "test")
		for _, want := range []string{"starting the following units: localfleet-failing.service", "warning: the following units failed: localfleet-failing.service"} {
			if code != 4 || !strings.Contains(out, want) {
				t.Errorf("test of a failing unit: exit %d, output lacks %q:\n%s", code, want, out)
			}
		}
		if st := mustSSH(t, f, h, "systemctl is-system-running || true"); st != "degraded" {
			t.Errorf("with a failed unit the system is %q, want degraded", st)
		}
		// Back to generation 2: the failed unit goes, and with it the degraded state.
		code, out = deploy(t, f, h, same, "test")
		if code != 0 || !strings.Contains(out, "stopping the following units: localfleet-failing.service") {
			t.Errorf("test back to generation 2: exit %d, %q", code, out)
		}
		if st := mustSSH(t, f, h, "systemctl is-system-running || true"); st != "running" {
			t.Errorf("after going back the system is %q, want running", st)
		}

		// A changed sshd config restarts sshd.service (on port+1 here), sessions survive it.
		moved := buildVariant(t, f, h, Variant{Generation: 4, SSHD: SSHDPort})
		nixCopy(t, f, h, moved)
		code, out = deploy(t, f, h, moved, "test")
		if code != 0 || !strings.Contains(out, "restarting the following units: sshd.service") {
			t.Errorf("test with a new sshd config: exit %d, %q", code, out)
		}
		hi := mustHost(t, f, h)
		if err := sshBanner(fmt.Sprintf("%s:%d", hi.Address, hi.Port+1), time.Second); err != nil {
			t.Errorf("sshd after the restart does not listen on port+1: %v", err)
		}
		if after := sshdMainPID(t, f, h); after == before {
			t.Errorf("sshd.service kept its main pid %s across a config change", after)
		}
		inside(t, f, h, same+"/bin/switch-to-configuration", "test")
		mustSSH(t, f, h, "true")
	})

	t.Run("reboot goes through systemd and boots the boot entry", func(t *testing.T) {
		next := buildVariant(t, f, h, Variant{Generation: 5, Kernel: "6.12.1"})
		nixCopy(t, f, h, next)
		if code, out := deploy(t, f, h, next, "boot"); code != 0 {
			t.Fatalf("boot: exit %d: %s", code, out)
		}
		old := mustHost(t, f, h)
		start := time.Now()
		if err := f.Reboot(t.Context(), h); err != nil {
			t.Fatal(err)
		}
		t.Logf("reboot of the systemd host took %s", time.Since(start))
		now := mustHost(t, f, h)
		if now.Init == old.Init && now.InitStart == old.InitStart || alive(old.Init, old.InitStart) {
			t.Errorf("the host's init did not change: %d then %d", old.Init, now.Init)
		}
		if now.Launcher != old.Launcher {
			t.Errorf("the launcher changed (%d -> %d): the reboot was not the container's own", old.Launcher, now.Launcher)
		}
		// Profile generations: 1 installed, 2 switched, 3 installed for boot.
		if s := status(t, f, h); s.System != next || s.Booted != next || s.Generation != 3 || s.RebootRequired {
			t.Errorf("after the reboot want %s booted and running: %+v", next, s)
		}
		// The persistent journal holds the boot before: it went down through systemd.
		if out := mustSSH(t, f, h, "journalctl -b -1 --no-pager -o cat | grep -c 'Reached target reboot.target' || true"); out != "1" {
			t.Errorf("the previous boot's journal has %q lines reaching reboot.target, want 1", out)
		}
		if st := mustSSH(t, f, h, "systemctl is-system-running"); st != "running" {
			t.Errorf("after the reboot the system is %q", st)
		}
	})

	t.Run("faults: stop, start, freeze and resume sshd", func(t *testing.T) {
		hi := mustHost(t, f, h)
		if err := f.Stop(t.Context(), h); err != nil {
			t.Fatal(err)
		}
		if err := sshBanner(hi.endpoint(), time.Second); err == nil {
			t.Error("sshd still answers after Stop")
		}
		if st := inside(t, f, h, "sh", "-c", "systemctl is-active sshd.service || true"); st != "inactive" {
			t.Errorf("after Stop sshd.service is %q", st)
		}
		if err := f.Start(t.Context(), h); err != nil {
			t.Fatal(err)
		}
		if err := f.Freeze(t.Context(), h); err != nil {
			t.Fatal(err)
		}
		if s := status(t, f, h); s.SSHD != "frozen" {
			t.Errorf("after Freeze: %+v", s)
		}
		if err := f.Resume(t.Context(), h); err != nil {
			t.Fatal(err)
		}
		mustSSH(t, f, h, "true")
	})

	t.Run("the host's writes stay in its own overlay", func(t *testing.T) {
		mustSSH(t, f, h, "echo p620 > /etc/written-by-the-host")
		img, _ := CachedImage("")
		if _, err := os.Stat(filepath.Join(img, "etc", "written-by-the-host")); err == nil {
			t.Errorf("the host wrote into the shared image %s", img)
		}
		if _, err := os.Stat(filepath.Join(mustHost(t, f, h).Dir, "rootfs-changes", "etc", "written-by-the-host")); err != nil {
			t.Errorf("the host's overlay lacks its write: %v", err)
		}
	})
}

func mustHost(t *testing.T, f *Fleet, name string) Host {
	t.Helper()
	h, err := f.Host(name)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
