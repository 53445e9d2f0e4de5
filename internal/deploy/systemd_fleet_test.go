package deploy

import (
	"cmp"
	"context"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/parallel"
)

// inHost runs a command inside a local host through its init, returning its trimmed output.
func (f *testFleet) inHost(t testing.TB, host string, args ...string) string {
	t.Helper()
	out, err := f.lf.InHost(context.Background(), host, args...)
	if err != nil {
		t.Fatalf("%s: %v", host, err)
	}
	return strings.TrimSpace(string(out))
}

// deployIDs lists the supervisor directories the hub's deploys left in the host's /run.
func (f *testFleet) deployIDs(t testing.TB, host string) []string {
	t.Helper()
	return strings.Fields(f.inHost(t, host, "sh", "-c", "ls /run/hub-deploy 2>/dev/null || true"))
}

// TestSystemdHostDeploy deploys through the hub's real code path (Run, the inventory the local
// fleet generates) to a systemd host, p620, beside a lightweight host, razer: the paths a NixOS
// host takes that the lightweight hosts cannot show.
func TestSystemdHostDeploy(t *testing.T) {
	f := startFleetWith(t, localfleet.Config{Hosts: []string{"p620", "razer"}, SystemdHosts: []string{"p620"}})
	ctx := context.Background()

	t.Run("the supervisor is a transient unit, unit and system-running checks pass on the target", func(t *testing.T) {
		gen := f.next(t, localfleet.Variant{})
		res, out := f.deploy(t, ctx, "*", nil)
		for _, host := range []string{"p620", "razer"} {
			if h := hostResult(t, res.Report, host); h.Status != parallel.StatusOK {
				t.Fatalf("%s: %s (%v)\n%s", host, h.Status, h.Err, out)
			}
			if got := generationOf(f.consistent(t, host)); got != itoa(gen) {
				t.Errorf("%s runs g%s, want g%d", host, got, gen)
			}
		}
		for _, want := range []string{"health: systemctl is-system-running ok", "health: unit sshd.service ok"} {
			if !strings.Contains(out, want) {
				t.Errorf("the deploy's log lacks %q:\n%s", want, out)
			}
		}
		ids := f.deployIDs(t, "p620")
		if len(ids) != 1 {
			t.Fatalf("p620 has supervisor directories %v, want one", ids)
		}
		unit := "hub-deploy-" + ids[0] + ".service"
		journal := f.inHost(t, "p620", "journalctl", "--no-pager", "-o", "cat", "-u", unit)
		if !strings.Contains(journal, "Started "+unit) {
			t.Errorf("p620's journal does not show %s started by systemd:\n%s", unit, journal)
		}
		// razer has no systemd: its supervisor ran under setsid, and its inventory asks nothing
		// of systemd.
		if strings.Contains(out, "razer") && strings.Contains(out, "razer: health: unit") {
			t.Errorf("razer ran a unit check:\n%s", out)
		}
	})

	t.Run("the activation survives the death of every ssh session, the hub's included", func(t *testing.T) {
		gen := f.next(t, localfleet.Variant{ActivationDelay: 3 * time.Second}, "p620")
		// A process an ssh session starts with setsid (what the hub does on hosts without
		// systemd) stays in sshd.service's cgroup: killing the unit kills it too.
		mainPID := f.inHost(t, "p620", "systemctl", "show", "-p", "MainPID", "--value", "sshd.service")
		if _, err := sshHost(t, f, "p620", "setsid -f sleep 6007 </dev/null >/dev/null 2>&1"); err != nil {
			t.Fatal(err)
		}
		killed := make(chan string, 1)
		go func() {
			// Once the supervisor's unit runs, kill sshd.service, sessions and all.
			deadline := time.Now().Add(20 * time.Second)
			for time.Now().Before(deadline) {
				out, _ := f.lf.InHost(ctx, "p620", "systemctl", "list-units", "--plain", "--no-legend", "--state=active", "hub-deploy-*")
				if strings.Contains(string(out), "hub-deploy-") {
					out, err := f.lf.InHost(ctx, "p620", "systemctl", "kill", "--signal=SIGKILL", "sshd.service")
					if err != nil {
						killed <- "systemctl kill: " + err.Error() + string(out)
						return
					}
					killed <- ""
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
			killed <- "no hub-deploy unit became active"
		}()
		res, out := f.deploy(t, ctx, "p620", nil)
		if msg := <-killed; msg != "" {
			t.Fatal(msg)
		}
		if h := hostResult(t, res.Report, "p620"); h.Status != parallel.StatusOK {
			t.Fatalf("p620: %s (%v)\n%s", h.Status, h.Err, out)
		}
		if got := generationOf(f.consistent(t, "p620")); got != itoa(gen) {
			t.Errorf("p620 runs g%s, want g%d", got, gen)
		}
		// The deploy's units did not change: only the kill can have replaced sshd's main process.
		if now := f.inHost(t, "p620", "systemctl", "show", "-p", "MainPID", "--value", "sshd.service"); now == mainPID {
			t.Errorf("sshd.service kept its main pid %s: the fault did not happen", now)
		}
		if left := f.inHost(t, "p620", "sh", "-c", "pgrep -f '[s]leep 6007' || true"); left != "" {
			t.Errorf("the setsid process of an ssh session survived killing sshd.service (pid %s)", left)
		}
	})

	t.Run("a generation with a failing unit is reported and rolled back", func(t *testing.T) {
		prev := f.consistent(t, "p620")
		f.next(t, localfleet.Variant{FailingUnit: true}, "p620")
		res, out := f.deploy(t, ctx, "p620", nil)
		h := hostResult(t, res.Report, "p620")
		if h.Status != parallel.StatusFailed || h.Err == nil || !strings.Contains(h.Err.Error(), "systemctl is-system-running") || !strings.Contains(h.Err.Error(), "degraded") {
			t.Fatalf("p620: %s (%v), want failed on the system-running gate\n%s", h.Status, h.Err, out)
		}
		if !strings.Contains(out, "localfleet-failing.service") {
			t.Errorf("the deploy's log does not name the failed unit:\n%s", out)
		}
		if now := f.consistent(t, "p620"); now != prev {
			t.Errorf("p620 runs %s after the rollback, want %s", now, prev)
		}
		if st := f.inHost(t, "p620", "sh", "-c", "systemctl is-system-running || true"); st != "running" {
			t.Errorf("after the rollback p620 is %q, want running", st)
		}
	})

	t.Run("-reboot boots the new kernel through the host's own init", func(t *testing.T) {
		gen := f.next(t, localfleet.Variant{Kernel: "6.12.1"}, "p620")
		before, _ := f.lf.Host("p620")
		f.deployRebooting(t, ctx, "p620")
		if b := f.link(t, "p620", "run/booted-system"); generationOf(b) != itoa(gen) {
			t.Errorf("p620 booted %s, want generation %d", b, gen)
		}
		after, _ := f.lf.Host("p620")
		if after.Init == before.Init || after.Launcher != before.Launcher {
			t.Errorf("init %d -> %d, launcher %d -> %d: want a new init under the same launcher", before.Init, after.Init, before.Launcher, after.Launcher)
		}
		if n := f.inHost(t, "p620", "sh", "-c", "journalctl -b -1 --no-pager -o cat | grep -c 'Reached target reboot.target' || true"); n != "1" {
			t.Errorf("the previous boot's journal reaches reboot.target %s times, want 1", n)
		}
	})
}

// sshHost runs a command on a local host over ssh as the inventory reaches it.
func sshHost(t testing.TB, f *testFleet, host, command string) (string, error) {
	t.Helper()
	args, err := f.lf.SSHArgs(host)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ssh", append(args, command)...).CombinedOutput()
	return string(out), err
}

// TestSystemdRollingReboot deploys a new kernel to three systemd hosts with -reboot and the
// real hosts' Rebooter (systemctl reboot over ssh, then new connections until the boot id
// changes: nspawn gives every boot a boot id of its own), one host down at a time. Each host's
// own journal says when its sshd stopped and started again; those windows must not overlap.
func TestSystemdRollingReboot(t *testing.T) {
	fleettest.NeedSystemd(t)
	hosts := []string{"p620", "p510", "razer"}
	f := startFleetWith(t, localfleet.Config{Hosts: hosts, SystemdHosts: hosts})
	gen := f.next(t, localfleet.Variant{Kernel: "6.12.1"})
	bootIDs := map[string]string{}
	for _, h := range hosts {
		bootIDs[h] = f.inHost(t, h, "cat", "/proc/sys/kernel/random/boot_id")
	}
	res, out := f.deploy(t, t.Context(), "*", func(o *Options, _ []*inventory.Host) {
		o.Reboot, o.MaxUnavailable = true, 1 // o.Rebooter stays the real hosts' SSHRebooter
	})
	type window struct {
		host       string
		down, back float64
	}
	var windows []window
	for _, h := range hosts {
		if hr := hostResult(t, res.Report, h); hr.Status != parallel.StatusOK || hr.Fields["reboot"] != "done" {
			t.Fatalf("%s: %s reboot=%q (%v)\n%s", h, hr.Status, hr.Fields["reboot"], hr.Err, out)
		}
		if b := f.link(t, h, "run/booted-system"); generationOf(b) != itoa(gen) {
			t.Errorf("%s booted %s, want generation %d", h, b, gen)
		}
		if id := f.inHost(t, h, "cat", "/proc/sys/kernel/random/boot_id"); id == bootIDs[h] {
			t.Errorf("%s: boot id %s unchanged", h, id)
		}
		// The last sshd line of the previous boot (its stop) and the first of this one.
		stamp := func(args string) float64 {
			s := f.inHost(t, h, "sh", "-c", "journalctl --no-pager -o short-unix -u sshd.service "+args+" | grep -v '^-- ' | awk '{print $1}'")
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s: journal time %q: %v", h, s, err)
			}
			return v
		}
		windows = append(windows, window{h, stamp("-b -1 -n 1"), stamp("-b 0 --reverse | tail -n 1")})
	}
	slices.SortFunc(windows, func(a, b window) int { return cmp.Compare(a.down, b.down) })
	for i := 1; i < len(windows); i++ {
		if a, b := windows[i-1], windows[i]; b.down < a.back {
			t.Errorf("%s went down at %.3f before %s was back at %.3f: more than one host unavailable", b.host, b.down, a.host, a.back)
		}
	}
	for _, w := range windows {
		t.Logf("%-6s sshd stopped %.3f, started %.3f (down %.2fs; from its journal)", w.host, w.down, w.back, w.back-w.down)
	}
}
