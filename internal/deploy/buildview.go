package deploy

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/nixprogress"
	"github.com/nixos-hub/hub/internal/parallel"
)

// The build view: a local build wave runs nix-store --realise with --log-format internal-json,
// and internal/nixprogress turns its stream into each host's share of it. Each host shows a progress
// line (derivations built and paths fetched of what its system needs, what remains, what is
// building now) when it changes, at most every viewEvery and always the last; every line of its
// derivations' build logs and every nix message go to its logs in the run directory
// (<host>.log, <host>/build.log) without crowding the console.

// viewEvery bounds how often a host's progress line is printed: a build of thousands of
// derivations would otherwise print thousands of lines per host.
const viewEvery = 2 * time.Second

// hostView is one host's part of the view. A nil view shows nothing.
type hostView struct {
	t *parallel.Task

	mu      sync.Mutex
	printed time.Time
	last    string // the last line printed
	held    string // a newer line not printed yet (throttled)
}

func newHostView(t *parallel.Task) *hostView {
	if t == nil {
		return nil
	}
	return &hostView{t: t}
}

func (v *hostView) progress(p nixprogress.Progress) {
	if v == nil {
		return
	}
	line := "build: " + p.String()
	v.mu.Lock()
	defer v.mu.Unlock()
	if line == v.last {
		return
	}
	if time.Since(v.printed) < viewEvery {
		v.held = line
		return
	}
	v.printLocked(line)
}

func (v *hostView) printLocked(line string) {
	v.t.Logf("%s", line)
	v.printed, v.last, v.held = time.Now(), line, ""
}

// done prints the last state if the throttle held it back.
func (v *hostView) done() {
	if v == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.held != "" {
		v.printLocked(v.held)
	}
}

func (v *hostView) record(line string) {
	if v != nil {
		v.t.Record(line)
	}
}

// buildPlans dry-runs each derivation (concurrently) for what its build needs: that is each
// host's plan in the view. A dry run that fails leaves its host with an empty plan: its
// progress then counts nothing, the build itself is not affected.
func buildPlans(ctx context.Context, local nix.Nix, drvs []string) map[string]nixprogress.Plan {
	plans := make(map[string]nixprogress.Plan, len(drvs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, drv := range drvs {
		wg.Go(func() {
			res, err := local.Realise(ctx, []string{drv}, nix.RealiseOptions{DryRun: true})
			var p nixprogress.Plan
			if err == nil {
				w := parseDryRun(string(res.Stderr))
				p = nixprogress.Plan{Build: w.Build, Fetch: w.Fetch}
			}
			mu.Lock()
			plans[drv] = p
			mu.Unlock()
		})
	}
	wg.Wait()
	return plans
}

// newBuildView ties a wave's tracker to the views of the hosts waiting for each derivation.
func newBuildView(plans map[string]nixprogress.Plan, views map[string][]*hostView) *nixprogress.Tracker {
	tr := nixprogress.NewTracker(plans)
	tr.OnProgress = func(drv string, p nixprogress.Progress) {
		for _, v := range views[drv] {
			v.progress(p)
		}
	}
	tr.OnLine = func(drv, line string) {
		for _, v := range views[drv] {
			v.record(line)
		}
	}
	return tr
}

// buildError is what nix said went wrong, in plain text (its last error messages), instead of
// the JSON events on the command's stderr.
func buildError(tr *nixprogress.Tracker, err error) string {
	errs := tr.Errors()
	if len(errs) == 0 {
		return err.Error()
	}
	if len(errs) > 3 {
		errs = errs[len(errs)-3:]
	}
	return strings.Join(errs, "; ")
}
