//go:build mage

// The hub's Mage targets. Targets are thin: they parse typed arguments, call internal/, and print.
// Every target has a doc comment, so `go tool mage -l` is the help screen.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/parallel"
	"github.com/nixos-hub/hub/internal/runenv"
)

// runsDir is where per-run logs and reports go.
const runsDir = ".hub/runs"

// runEnv is the target's environment, read once when it starts: the fleet HUB_FLEET selects
// with its nix settings, HUB_DRY_RUN (or the target's -dry), HUB_VERBOSE, and -json.
func runEnv(json, dry *bool) runenv.Env {
	return runenv.Read(os.Getenv, runenv.Options{JSON: flag(json, false), DryRun: flag(dry, false), Stdout: os.Stdout, Stderr: os.Stderr})
}

// dryRunNoResult ends a reading target under HUB_DRY_RUN: its commands were printed and none
// ran, so there is nothing to report, and an empty report would read as a clean one.
func dryRunNoResult(e *command.Executor) bool {
	if e.DryRun {
		fmt.Println("dry run: the commands above were printed, none ran; no result")
	}
	return e.DryRun
}

// interruptible wraps ctx so the first Ctrl-C winds work down and the second exits.
func interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	return parallel.WithInterrupt(ctx, parallel.SignalOptions{})
}

func flag[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// forLocalFleet adapts a deploy to the local fleet when HUB_FLEET=local: hosts reboot through
// the fleet's own Reboot, and write no deploy trace (its lightweight hosts share this machine's
// /var: a trace would land in its own node_exporter's textfile directory). It returns the
// Rebooter it set, for callers that reboot outside a deploy too.
func forLocalFleet(env runenv.Env, opts *deploy.Options) (deploy.Rebooter, error) {
	if !env.LocalFleet {
		return nil, nil
	}
	lf, err := localfleet.Open(runenv.LocalFleetDir())
	if err != nil {
		return nil, err
	}
	opts.Rebooter = deploy.RebooterFunc(func(ctx context.Context, h *inventory.Host, _ *command.Host, _ time.Duration) error {
		return lf.Reboot(ctx, h.Name)
	})
	opts.TextfileDir = "-"
	return opts.Rebooter, nil
}

// onHosts selects the hosts, makes the run interruptible (the first Ctrl-C winds it down) and
// gives it one executor (one ssh master per host), closed at the end: what every target that
// works on a selection does before its job.
func onHosts(ctx context.Context, env runenv.Env, selection string, job func(ctx context.Context, f *inventory.Fleet, hosts []*inventory.Host, e *command.Executor) error) error {
	f, hosts, err := env.Select(selection)
	if err != nil {
		return err
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	e := env.Executor()
	defer e.Close()
	return job(ctx, f, hosts, e)
}

// problem is one finding of a per-host probe (net:doctor, perf:report).
type problem interface {
	String() string  // what, and how to fix it
	Summary() string // what
}

// probeHosts runs probe on every host in parallel (phase "probe"): each report's fields become
// the host's summary columns, its problems lines of its output and the status "problems". It
// returns the run's report and the reports by host.
func probeHosts[R interface{ Fields() [][2]string }, P problem](ctx context.Context, env runenv.Env, hosts []*inventory.Host, name string,
	probe func(context.Context, *inventory.Host) (R, error), problems func(R) []P) (*parallel.Report, map[string]R, error) {
	names := make([]string, len(hosts))
	byName := map[string]*inventory.Host{}
	for i, h := range hosts {
		names[i], byName[h.Name] = h.Name, h
	}
	var mu sync.Mutex
	reports := map[string]R{}
	rep, err := parallel.Run(ctx, names, func(ctx context.Context, t *parallel.Task) error {
		t.Phase("probe")
		r, err := probe(ctx, byName[t.Host()])
		if err != nil {
			return err
		}
		mu.Lock()
		reports[t.Host()] = r
		mu.Unlock()
		for _, f := range r.Fields() {
			t.Set(f[0], f[1])
		}
		ps := problems(r)
		for _, p := range ps {
			t.Logf("problem: %s", p)
		}
		if len(ps) > 0 {
			return parallel.Warn("problems", fmt.Errorf("%d problem(s), first: %s", len(ps), ps[0].Summary()))
		}
		return nil
	}, parallel.Options{Name: name, Limit: 32, KeepGoing: true, RunDir: runsDir, Out: env.Out.Progress()})
	return rep, reports, err
}

// probeOutcome is how a probeHosts target ends once it has printed its results: the run's own
// error, else how many hosts could not be probed (notProbed: "could not be read"), else the
// hosts with problems, whose lines above each say what to do (advice: "says how to fix it").
func probeOutcome(target, notProbed, advice string, runErr error, rep *parallel.Report, problemHosts []string) error {
	if runErr != nil {
		return runErr
	}
	if n := rep.Failed(); n > 0 {
		return fmt.Errorf("%s: %d host(s) %s (see the table; logs in %s)", target, n, notProbed, rep.RunDir)
	}
	if len(problemHosts) > 0 {
		return errors.New(target + ": problems on " + strings.Join(problemHosts, ", ") + ": each line above " + advice)
	}
	return nil
}

// hostJob is the per-host work of a fanOut, with the run's shared executor.
type hostJob func(ctx context.Context, t *parallel.Task, h *inventory.Host, e *command.Executor) error

// fanOut runs job on every host of selection through internal/parallel: Ctrl-C handling, one shared
// executor (one ssh master per host), keep-going, per-host logs; then prints the summary (or the
// JSON report with -json) and fails when any host failed. Name and Limit come from opts.
func fanOut(ctx context.Context, env runenv.Env, selection string, opts parallel.Options, job hostJob) error {
	return onHosts(ctx, env, selection, func(ctx context.Context, _ *inventory.Fleet, hosts []*inventory.Host, e *command.Executor) error {
		return fanOutHosts(ctx, env, hosts, e, opts, job)
	})
}

func fanOutHosts(ctx context.Context, env runenv.Env, hosts []*inventory.Host, e *command.Executor, opts parallel.Options, job hostJob) error {
	byName := make(map[string]*inventory.Host, len(hosts))
	names := make([]string, len(hosts))
	for i, h := range hosts {
		byName[h.Name] = h
		names[i] = h.Name
	}
	opts.KeepGoing, opts.RunDir, opts.Out = true, runsDir, env.Out.Progress()
	rep, err := parallel.Run(ctx, names, func(ctx context.Context, t *parallel.Task) error {
		return job(ctx, t, byName[t.Host()], e)
	}, opts)
	return env.Out.Report(rep, err)
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
