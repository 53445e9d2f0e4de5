package deploy

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/parallel"
)

// A host that hangs in the middle of its copy (every process stopped, as a stuck VM or kernel:
// TCP still accepted by the kernel, nothing answering) must fail alone and in bounded time, not
// hold the whole deploy:all until someone resumes it. The ssh keep-alives end the connection,
// a new one gives up at ConnectTimeout, and the other host's deploy goes on.
func TestHungHostFailsAlone(t *testing.T) {
	f := startFleet(t, []string{"p620", "razer"})
	before := f.consistent(t, "p620")
	gen := f.next(t, localfleet.Variant{}, "p620", "razer")
	// The copy to p620 goes slowly, so that it is under way when the host hangs.
	if err := f.lf.SlowCopy("p620", 3*time.Second); err != nil {
		t.Fatal(err)
	}
	h, err := f.lf.Host("p620")
	if err != nil {
		t.Fatal(err)
	}
	ns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", h.Init))
	hung := make(chan error, 1)
	go func() {
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if copying(ns) {
				hung <- f.lf.Hang(context.Background(), "p620")
				return
			}
		}
		hung <- context.DeadlineExceeded
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	start := time.Now()
	res, out := f.deploy(t, ctx, "*", func(o *Options, _ []*inventory.Host) { o.CopyAttempts = 2 })
	took := time.Since(start)
	if err := <-hung; err != nil {
		t.Fatalf("hang p620 during its copy: %v", err)
	}
	if err := f.lf.Unhang(context.Background(), "p620"); err != nil {
		t.Fatal(err)
	}
	t.Logf("deploy:all with p620 hung mid-copy ended after %s", took.Round(100*time.Millisecond))
	if hr := hostResult(t, res.Report, "razer"); hr.Status != parallel.StatusOK {
		t.Errorf("razer: %s (%v): a hung p620 must not hold it\n%s", hr.Status, hr.Err, out)
	}
	if got := generationOf(f.consistent(t, "razer")); got != itoa(gen) {
		t.Errorf("razer runs g%s, want g%d", got, gen)
	}
	hr := hostResult(t, res.Report, "p620")
	if hr.Status != parallel.StatusFailed || hr.FailedPhase != "copy" {
		t.Errorf("p620: %s in phase %q (%v), want failed in copy\n%s", hr.Status, hr.FailedPhase, hr.Err, out)
	}
	// Bounded: keep-alives (3 × 5 s) and a reconnect that gives up after 20 s, not "until the
	// host is resumed". The bound leaves room for a loaded machine.
	if took > 3*time.Minute {
		t.Errorf("deploy:all took %s with one host hung", took)
	}
	if err := f.lf.Heal(context.Background(), "p620"); err != nil {
		t.Fatal(err)
	}
	if got := f.consistent(t, "p620"); got != before {
		t.Errorf("p620 runs %s after the failed copy, want its old system %s", got, before)
	}
	reachable(t, f.inv(t), "p620")
}

// copying reports whether a SlowCopy wrapper (the local fleet's stand-in for a slow
// nix-store --serve) runs in pid namespace ns, that is: the copy to the slowed host has begun.
// Other tests' fleets run the same wrapper at the same path, in their own namespaces.
func copying(ns string) bool {
	return len(procsIn(ns, func(args []string) bool {
		return strings.Contains(strings.Join(args, " "), "/run/localfleet/bin/nix-store")
	})) > 0
}

// A host's own deadline (host.toml deploy.copy_timeout) bounds its copy: a slow copy to p620
// fails p620 alone, in the copy phase, saying it timed out, while razer, under the default
// deadline, deploys.
func TestHostCopyDeadline(t *testing.T) {
	f := startFleet(t, []string{"p620", "razer"})
	before := f.consistent(t, "p620")
	gen := f.next(t, localfleet.Variant{}, "p620", "razer")
	if err := f.lf.SlowCopy("p620", 20*time.Second); err != nil {
		t.Fatal(err)
	}
	res, out := f.deploy(t, t.Context(), "*", func(o *Options, hosts []*inventory.Host) {
		o.CopyAttempts = 1
		for _, h := range hosts {
			if h.Name == "p620" {
				h.Deploy.CopyTimeout = 2 * time.Second
			}
		}
	})
	hr := hostResult(t, res.Report, "p620")
	if hr.Status != parallel.StatusFailed || hr.FailedPhase != "copy" || hr.Err == nil || !strings.Contains(hr.Err.Error(), "timed out") {
		t.Errorf("p620: %s in phase %q (%v), want failed in copy, timed out\n%s", hr.Status, hr.FailedPhase, hr.Err, out)
	}
	if hr := hostResult(t, res.Report, "razer"); hr.Status != parallel.StatusOK {
		t.Errorf("razer: %s (%v)\n%s", hr.Status, hr.Err, out)
	}
	if got := generationOf(f.consistent(t, "razer")); got != itoa(gen) {
		t.Errorf("razer runs g%s, want g%d", got, gen)
	}
	if got := f.consistent(t, "p620"); got != before {
		t.Errorf("p620 runs %s after its copy timed out, want its old system %s", got, before)
	}
}
