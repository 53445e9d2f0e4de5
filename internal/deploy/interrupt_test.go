package deploy

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
)

// Ctrl-C in the middle of activations, sent to the process group of a real mage process as a
// terminal does. Mage's generated main cancels the target on SIGINT and exits 5 s later; the
// hub's abort path (a rollback request per host, waiting for each watchdog, releasing the locks)
// takes longer, and was cut off: no summary, no rollback awaited, locks left held. The hub's
// targets take SIGINT over, so the run ends as docs/deploy.md says: every host back on its old
// system, its lock released, and the summary printed.
func TestInterruptRealMageProcess(t *testing.T) {
	fleettest.Need(t)
	if testing.Short() {
		t.Skip("integration test: starts a local fleet and compiles the magefiles")
	}
	bin, root := fleettest.Mage(t)
	hosts := []string{"p620", "razer"}
	f := startFleet(t, hosts)
	before := map[string]string{}
	for _, h := range hosts {
		before[h] = f.consistent(t, h)
	}
	// Activations long enough to be interrupted in the middle, and a rollback after them that
	// waits for each one to end: more than mage's 5 s.
	f.next(t, localfleet.Variant{ActivationDelay: 6 * time.Second}, hosts...)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "deploy:all", "-confirmTimeout=5s")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "HUB_FLEET=local", localfleet.EnvDir+"="+f.lf.Dir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Once every host is activating, one second in: Ctrl-C to the whole process group.
	activating := func() bool {
		for _, name := range hosts {
			if !f.supervising(name) {
				return false
			}
		}
		return true
	}
	for deadline := time.Now().Add(time.Minute); !activating(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			_ = cmd.Wait()
			t.Fatalf("the hosts never started activating:\n%s", out.String())
		}
	}
	time.Sleep(time.Second)
	sent := time.Now()
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	took := time.Since(sent)
	log := out.String()
	t.Logf("exited %v %s after the SIGINT", err, took.Round(100*time.Millisecond))
	if strings.Contains(log, "cleanup timeout exceeded") {
		t.Fatalf("mage's own SIGINT handler cut the deploy off:\n%s", log)
	}
	if err == nil {
		t.Errorf("an interrupted deploy exited 0:\n%s", log)
	}
	if !strings.Contains(log, "HOST") || !strings.Contains(log, "RESULT") {
		t.Errorf("no summary table after the interrupt:\n%s", log)
	}
	for _, name := range hosts {
		if got := f.consistent(t, name); got != before[name] {
			t.Errorf("%s runs %s after the interrupt, want its previous system %s\n%s", name, got, before[name], log)
		}
		h, _ := f.lf.Host(name)
		if _, err := os.Stat(filepath.Join(h.Dir, "run", "hub-deploy.lock")); err == nil {
			t.Errorf("%s: the deploy lock is still held after the interrupted run ended\n%s", name, log)
		}
	}
}
