package deploy

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/parallel"
)

// System is a host's evaluated toplevel (internal/nix).
type System = nix.System

// Evaluate evaluates the toplevel of every named host in ONE nix eval: the flake is fetched,
// parsed and its shared modules evaluated once instead of once per host. When that eval fails,
// the hosts are evaluated one at a time so the error names the broken one (nix.Toplevels).
func Evaluate(ctx context.Context, local *command.Host, flake string, names []string, settings nix.Settings, extra ...string) (map[string]System, error) {
	return nix.On(local, settings).Toplevels(ctx, flake, names, nix.EvalOptions{Extra: extra})
}

// builder builds the local systems of one rollout with one `nix-store --realise` per wave of
// requests. nix build would print the results only when every system is done, so instead the
// build's event stream (internal/nixprogress) says when a host's toplevel was built or fetched,
// and one nix-store --check-validity of that path then releases the host's copy: as soon as
// its own system is there, without polling the store while the wave builds (a poll per tick
// was a nix process every 200 ms for as long as a build runs).
type builder struct {
	nix    nix.Nix
	window time.Duration // how long to wait for more requests before starting a wave
	logf   func(format string, args ...any)

	mu       sync.Mutex
	expected int // hosts that have not yet requested or declined
	queue    []*buildReq
	timer    *time.Timer
}

type buildReq struct {
	sys  System
	view *hostView // the host's share of the build view (buildview.go); nil shows nothing
	done chan error
}

func newBuilder(local nix.Nix, expected int, logf func(string, ...any)) *builder {
	return &builder{nix: local, expected: expected, window: 300 * time.Millisecond, logf: logf}
}

// decline says one host will not ask for a build (it is current, unreachable or builds elsewhere).
func (b *builder) decline() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expected--
	b.maybeFlushLocked()
}

// build waits until sys.Out is valid in the local store, showing t's share of the build (t may
// be nil).
func (b *builder) build(ctx context.Context, sys System, t *parallel.Task) error {
	r := &buildReq{sys: sys, view: newHostView(t), done: make(chan error, 1)}
	b.mu.Lock()
	b.expected--
	b.queue = append(b.queue, r)
	b.maybeFlushLocked()
	b.mu.Unlock()
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// maybeFlushLocked starts a wave when every host has spoken, or after a quiet window (with a
// concurrency limit the late hosts cannot speak before the early ones finish).
func (b *builder) maybeFlushLocked() {
	if len(b.queue) == 0 {
		return
	}
	if b.expected <= 0 {
		if b.timer != nil {
			b.timer.Stop()
			b.timer = nil
		}
		wave := b.queue
		b.queue = nil
		go b.run(wave)
		return
	}
	if b.timer != nil {
		b.timer.Stop()
	}
	b.timer = time.AfterFunc(b.window, func() {
		b.mu.Lock()
		wave := b.queue
		b.queue, b.timer = nil, nil
		b.mu.Unlock()
		if len(wave) > 0 {
			b.run(wave)
		}
	})
}

func (b *builder) invalid(ctx context.Context, paths []string) (map[string]bool, error) {
	return b.nix.Invalid(ctx, paths)
}

// run builds one wave. Its context is not any host's: a host giving up must not kill a build
// the other hosts wait for.
func (b *builder) run(wave []*buildReq) {
	ctx := context.Background()
	pending := map[string][]*buildReq{}
	var outs []string
	for _, r := range wave {
		if _, ok := pending[r.sys.Out]; !ok {
			outs = append(outs, r.sys.Out)
		}
		pending[r.sys.Out] = append(pending[r.sys.Out], r)
	}
	release := func(out string, err error) {
		for _, r := range pending[out] {
			r.done <- err
		}
		delete(pending, out)
	}
	bad, err := b.invalid(ctx, outs)
	if err != nil {
		for _, o := range outs {
			release(o, fmt.Errorf("query the local store: %w", err))
		}
		return
	}
	var drvs []string
	for _, o := range outs {
		if !bad[o] {
			release(o, nil)
			continue
		}
		drvs = append(drvs, pending[o][0].sys.Drv)
	}
	if len(drvs) == 0 {
		return
	}
	slices.Sort(drvs)
	b.logf("building %d systems in one nix-store --realise", len(drvs))
	views := map[string][]*hostView{}
	for _, reqs := range pending {
		for _, r := range reqs {
			if r.view != nil {
				views[r.sys.Drv] = append(views[r.sys.Drv], r.view)
			}
		}
	}
	view := newBuildView(buildPlans(ctx, b.nix, drvs), views)
	// The toplevels' builds and substitutions that ended: the moment to look at their output.
	toplevel := map[string]string{} // drv or output path -> output
	for o, reqs := range pending {
		toplevel[o], toplevel[reqs[0].sys.Drv] = o, o
	}
	ended := make(chan string, 2*len(toplevel))
	view.OnDone = func(path string) {
		if o, ok := toplevel[path]; ok {
			select {
			case ended <- o:
			default: // full: the check at the end of the wave releases it
			}
		}
	}
	defer func() {
		view.Close()
		for _, vs := range views {
			for _, v := range vs {
				v.done()
			}
		}
	}()
	type result struct {
		res command.Result
		err error
	}
	finished := make(chan result, 1)
	go func() {
		res, err := b.nix.Realise(ctx, drvs, nix.RealiseOptions{KeepGoing: true, MaxJobsAuto: true, LogJSON: true, Stderr: view})
		finished <- result{res, err}
	}()
	for {
		select {
		case o := <-ended:
			// One look for every toplevel that ended by now: systems that build alike end
			// together, and each look is a nix process.
			var look []string
			for more := true; more; {
				if _, ok := pending[o]; ok && !slices.Contains(look, o) {
					look = append(look, o)
				}
				select {
				case o = <-ended:
				default:
					more = false
				}
			}
			if len(look) == 0 {
				continue
			}
			if bad, err := b.invalid(ctx, look); err == nil {
				for _, o := range look {
					if !bad[o] {
						release(o, nil)
					}
				}
			}
		case r := <-finished:
			var left []string
			for o := range pending {
				left = append(left, o)
			}
			if len(left) == 0 {
				return
			}
			bad, qerr := b.invalid(ctx, left)
			for _, o := range left {
				switch {
				case qerr != nil:
					release(o, fmt.Errorf("query the local store: %w", qerr))
				case !bad[o]:
					release(o, nil)
				case r.err != nil:
					release(o, fmt.Errorf("nix-store --realise %s: %s", pending[o][0].sys.Drv, buildError(view, r.err)))
				default:
					release(o, fmt.Errorf("nix-store --realise succeeded but %s is not valid", o))
				}
			}
			return
		}
	}
}
