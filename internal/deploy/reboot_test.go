package deploy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/parallel"
)

// A crash or power loss of the target during its activation or confirmation kills the
// supervisor and, with it, any rollback it would have done. The guarded switch therefore leaves
// the profile and the boot entry alone until the commit: whatever reboots before it boots the
// previous system. Reproduced on the local fleet, whose hosts reboot for real (new init, empty
// /run, the boot entry booted): a generation whose sshd locks everyone out, and a healthy one,
// each rebooted one second into a four-second activation.
func TestRebootDuringActivationBootsThePreviousSystem(t *testing.T) {
	f := startFleet(t, []string{"p620"})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for _, tc := range []struct {
		name string
		v    localfleet.Variant
	}{
		{"sshd lockout", localfleet.Variant{SSHD: localfleet.SSHDDeny, ActivationDelay: 4 * time.Second}},
		{"healthy", localfleet.Variant{ActivationDelay: 4 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.consistent(t, "p620")
			bootBefore := f.link(t, "p620", "nix/var/localfleet/boot-entry")
			profileBefore := f.link(t, "p620", "nix/var/nix/profiles/system")
			f.next(t, tc.v, "p620")
			rebooted := make(chan error, 1)
			go func() {
				// One second into the activation: the supervisor has written its status-less pid.
				for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
					if f.supervising("p620") {
						time.Sleep(time.Second)
						rebooted <- f.lf.Reboot(context.Background(), "p620")
						return
					}
				}
				rebooted <- context.DeadlineExceeded
			}()
			start := time.Now()
			res, out := f.deploy(t, ctx, "p620", nil)
			if err := <-rebooted; err != nil {
				t.Fatalf("reboot: %v", err)
			}
			hr := hostResult(t, res.Report, "p620")
			if hr.Status != parallel.StatusFailed || hr.Err == nil ||
				!strings.Contains(hr.Err.Error(), "rebooted during the deploy, before the commit: it runs its previous system again") {
				t.Fatalf("p620: %s (%v), want failed saying it rebooted and runs its previous system\n%s", hr.Status, hr.Err, out)
			}
			if took := time.Since(start); took > time.Minute {
				t.Errorf("the deploy took %s to notice the reboot", took.Round(time.Second))
			}
			if got := f.consistent(t, "p620"); got != before {
				t.Errorf("after the reboot p620 runs %s, want the previous system %s", got, before)
			}
			if got := f.link(t, "p620", "nix/var/localfleet/boot-entry"); got != bootBefore {
				t.Errorf("boot entry %s, want it unchanged (%s)", got, bootBefore)
			}
			if got := f.link(t, "p620", "nix/var/nix/profiles/system"); got != profileBefore {
				t.Errorf("profile %s, want it unchanged (%s)", got, profileBefore)
			}
			reachable(t, f.inv(t), "p620")
		})
	}
	// The next deploy goes through and commits: the profile and the boot entry follow it.
	gen := f.next(t, localfleet.Variant{}, "p620")
	res, out := f.deploy(t, ctx, "p620", nil)
	if hr := hostResult(t, res.Report, "p620"); hr.Status != parallel.StatusOK {
		t.Fatalf("deploy after the reboots: %s (%v)\n%s", hr.Status, hr.Err, out)
	}
	running := f.consistent(t, "p620")
	if generationOf(running) != itoa(gen) {
		t.Errorf("runs %s, want generation %d", running, gen)
	}
	if boot := f.link(t, "p620", "nix/var/localfleet/boot-entry"); !strings.HasSuffix(boot, filepath.Base(running)) && boot != running {
		// The boot entry names the profile generation or the system itself.
		if target := f.link(t, "p620", filepath.Join("nix/var/nix/profiles", filepath.Base(boot))); target != running {
			t.Errorf("boot entry %s does not lead to the committed system %s", boot, running)
		}
	}
}

// A supervisor killed in the middle of the activation (SIGKILL, the OOM killer) cannot roll
// back: the hub finds it dead and rolls the host back itself, by starting the uploaded
// supervisor again in rescue mode, which waits for the orphaned activation to end first.
func TestKilledSupervisorIsRescuedByTheHub(t *testing.T) {
	f := startFleet(t, []string{"p620"})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	before := f.consistent(t, "p620")
	f.next(t, localfleet.Variant{ActivationDelay: 3 * time.Second}, "p620")
	h, err := f.lf.Host("p620")
	if err != nil {
		t.Fatal(err)
	}
	killed := make(chan error, 1)
	go func() {
		ns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", h.Init))
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			for _, pid := range supervisorsIn(ns) {
				time.Sleep(time.Second) // into the activation
				killed <- syscall.Kill(pid, syscall.SIGKILL)
				return
			}
		}
		killed <- context.DeadlineExceeded
	}()
	res, out := f.deploy(t, ctx, "p620", nil)
	if err := <-killed; err != nil {
		t.Fatalf("kill the supervisor: %v", err)
	}
	hr := hostResult(t, res.Report, "p620")
	if hr.Status != parallel.StatusFailed || hr.Err == nil || !strings.Contains(hr.Err.Error(), "rolled back by the hub") {
		t.Fatalf("p620: %s (%v), want failed and rolled back by the hub\n%s", hr.Status, hr.Err, out)
	}
	if got := f.consistent(t, "p620"); got != before {
		t.Errorf("p620 runs %s, want its previous system %s", got, before)
	}
	if _, err := os.Stat(filepath.Join(h.Dir, "run", "hub-deploy.lock")); err == nil {
		t.Error("the deploy lock is still held")
	}
	reachable(t, f.inv(t), "p620")
}

// supervisorsIn lists the first-run supervisors (not rescues) running in pid namespace ns.
func supervisorsIn(ns string) []int {
	return procsIn(ns, func(args []string) bool {
		return len(args) > 3 && strings.HasSuffix(args[1], "/supervise.sh") && args[3] != "rescue"
	})
}

// procsIn lists the processes of pid namespace ns (one local host's, never another fleet's)
// whose argv match says yes to.
func procsIn(ns string, match func(args []string) bool) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || ns == "" {
			continue
		}
		if l, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid)); l != ns {
			continue
		}
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if match(strings.Split(string(b), "\x00")) {
			pids = append(pids, pid)
		}
	}
	return pids
}
