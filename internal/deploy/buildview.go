package deploy

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/nix-community/go-nix/pkg/derivation"

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

// buildPlans is each host's plan in the view: what the build of its derivation needs. One dry
// run of the whole wave says what is to be built and fetched; each derivation's share of that is
// what its closure holds, read from the .drv files (a derivation graph: its input derivations,
// their outputs). One nix process per wave, instead of a dry run per host: on the local fleet
// those were about 5 % of a deploy's CPU. A derivation whose graph cannot be read (a .drv
// missing or unreadable here) gets its own dry run; one that fails leaves its host with an empty
// plan: its progress then counts nothing, the build itself is not affected.
func buildPlans(ctx context.Context, local nix.Nix, drvs []string) map[string]nixprogress.Plan {
	plans := make(map[string]nixprogress.Plan, len(drvs))
	res, err := local.Realise(ctx, drvs, nix.RealiseOptions{DryRun: true})
	if err != nil {
		return plans
	}
	wave := nixprogress.ParseDryRun(string(res.Stderr))
	g := drvGraph{}
	for _, drv := range drvs {
		drvsIn, outs, err := g.closure(drv)
		if err != nil {
			if res, err := local.Realise(ctx, []string{drv}, nix.RealiseOptions{DryRun: true}); err == nil {
				plans[drv] = nixprogress.ParseDryRun(string(res.Stderr))
			}
			continue
		}
		var p nixprogress.Plan
		for _, b := range wave.Build {
			if drvsIn[b] {
				p.Build = append(p.Build, b)
			}
		}
		for _, f := range wave.Fetch {
			if outs[f] {
				p.Fetch = append(p.Fetch, f)
			}
		}
		plans[drv] = p
	}
	return plans
}

// drvGraph reads derivations once each (the hosts' systems share most of theirs).
type drvGraph map[string]*derivation.Derivation

func (g drvGraph) read(path string) (*derivation.Derivation, error) {
	if d, ok := g[path]; ok {
		return d, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d, err := derivation.ReadDerivation(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	g[path] = d
	return d, nil
}

// closure is every derivation drv's build may need (drv and its input derivations, all the way
// down) and every output path of those: what a dry run of drv alone would list, from the graph.
func (g drvGraph) closure(drv string) (drvs, outputs map[string]bool, err error) {
	drvs, outputs = map[string]bool{}, map[string]bool{}
	stack := []string{drv}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if drvs[p] {
			continue
		}
		drvs[p] = true
		d, err := g.read(p)
		if err != nil {
			return nil, nil, err
		}
		for _, o := range d.Outputs {
			outputs[o.Path] = true
		}
		for in := range d.InputDerivations {
			stack = append(stack, in)
		}
		for _, src := range d.InputSources {
			outputs[src] = true // a source can be fetched too (a store path substituted)
		}
	}
	return drvs, outputs, nil
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
