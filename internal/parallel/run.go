package parallel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
	"golang.org/x/term"
)

// Job is the per-host work. It must return soon after ctx is done; its error decides the host's
// status (see Status, Skip and Warn).
type Job func(ctx context.Context, t *Task) error

// Progress selects how progress is shown.
type Progress int

const (
	// progressAuto shows the live view when Out is a terminal and the CI environment variable is
	// unset, plain lines otherwise.
	progressAuto Progress = iota
	// ProgressPlain prints host-prefixed lines and a line per phase change.
	ProgressPlain
	// progressLive redraws a view of all hosts under the output with ANSI cursor movement.
	progressLive
)

// Options configure a Run. The zero value runs all hosts at once, fail-fast, printing to
// os.Stdout and keeping no log files.
type Options struct {
	// Name names the run in its directory and messages, e.g. "hosts-ping".
	Name string
	// Limit is the most jobs running at once; 0 or less means no limit.
	Limit int
	// KeepGoing lets the other hosts carry on after a failure instead of cancelling them.
	KeepGoing bool
	// Out receives the host-prefixed output and progress; nil means os.Stdout.
	Out io.Writer
	// RunDir is the directory under which this run's directory, <UTC timestamp>-<Name>, is
	// created (typically .hub/runs). Empty keeps no log files and no report.json.
	RunDir string
	// Progress selects the live view or plain lines.
	Progress Progress
	// Now is the clock for durations and log timestamps; nil means time.Now.
	Now func() time.Time
}

// Run runs job for every host, at most opts.Limit at a time, and reports each host's outcome.
// Host failures are in the Report, not the error: the error is non-nil when the run could not
// start (bad host names, run directory), and alongside a complete Report when output or log
// files could not be written.
func Run(ctx context.Context, hosts []string, job Job, opts Options) (*Report, error) {
	if err := checkHosts(hosts); err != nil {
		return nil, err
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	out := opts.Out
	if out == nil {
		out = os.Stdout
	}
	name := opts.Name
	if name == "" {
		name = "run"
	}
	limit := opts.Limit
	if limit <= 0 || limit > len(hosts) {
		limit = max(len(hosts), 1)
	}
	start := now()

	var dir string
	if opts.RunDir != "" {
		var err error
		if dir, err = makeRunDir(opts.RunDir, name, start); err != nil {
			return nil, err
		}
	}
	live, cols, rows := liveMode(opts.Progress, out, os.Getenv)
	con := newConsole(out, hosts, now, live, cols, rows)
	tasks := make([]*Task, len(hosts))
	for i, h := range hosts {
		t, err := newTask(h, con, now, dir)
		if err != nil {
			for _, opened := range tasks[:i] {
				opened.finish(HostResult{Host: opened.host, Status: StatusNotRun, Err: err}, false)
			}
			return nil, err
		}
		tasks[i] = t
	}
	where := "no log files"
	if dir != "" {
		where = "logs in " + dir
	}
	con.runLine("%s: %d hosts, limit %d, %s", name, len(hosts), limit, where)

	stopTicker := func() {}
	if live {
		stopTicker = startTicker(con)
	}
	r := &runner{job: job, now: now, keepGoing: opts.KeepGoing, con: con}
	results := r.schedule(ctx, tasks, limit)
	stopTicker()
	con.close()
	var errs []error

	slices.SortFunc(results, func(a, b HostResult) int { return strings.Compare(a.Host, b.Host) })
	rep := &Report{Name: name, RunDir: dir, Started: start, Duration: now().Sub(start), Hosts: results}
	if dir != "" {
		errs = append(errs, writeReportFile(rep, filepath.Join(dir, "report.json")))
	}
	con.runLine("%s: %s in %s; %s", name, rep.counts(), formatDuration(rep.Duration), where)
	errs = append(errs, con.writeErr())
	errs = append(errs, r.logErrs...)
	return rep, errors.Join(errs...)
}

// runner holds what the host goroutines of one Run share.
type runner struct {
	job       Job
	now       func() time.Time
	keepGoing bool
	con       *console

	mu      sync.Mutex
	logErrs []error
}

// schedule starts the jobs in host order as slots free up. It acquires the slot before
// starting a job so that, once the run is cancelled, the hosts still waiting are marked
// not-run at once instead of each waiting for a running job to give up its slot.
func (r *runner) schedule(ctx context.Context, tasks []*Task, limit int) []HostResult {
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	results := make([]HostResult, len(tasks))
	sem := semaphore.NewWeighted(int64(limit))
	var wg sync.WaitGroup
	for i, t := range tasks {
		err := sem.Acquire(runCtx, 1)
		if err == nil && runCtx.Err() != nil {
			// Acquire may succeed on a done context when a slot is free.
			sem.Release(1)
			err = runCtx.Err()
		}
		if err != nil {
			cause := context.Cause(runCtx)
			for j, rest := range tasks[i:] {
				results[i+j] = r.finish(rest, HostResult{Host: rest.host, Status: StatusNotRun, Err: cause, Fields: map[string]string{}}, false)
			}
			break
		}
		wg.Go(func() {
			// Deferred first, runs last: on failure the run is cancelled before the slot frees,
			// so no host starts after a fail-fast failure.
			defer sem.Release(1)
			results[i] = r.runTask(runCtx, cancel, t)
		})
	}
	wg.Wait()
	return results
}

func (r *runner) runTask(ctx context.Context, cancel context.CancelCauseFunc, t *Task) HostResult {
	start := r.now()
	r.con.started(t.host, start)
	err := callJob(ctx, t, r.job)
	t.flush()
	phase, fields := t.snapshot()
	res := HostResult{Host: t.host, Phase: phase, Phases: t.Phases(), Duration: r.now().Sub(start), Fields: fields, Err: err}
	var se *StatusError
	switch {
	case err == nil:
		res.Status = StatusOK
	case errors.As(err, &se):
		res.Status = se.Status
	case ctx.Err() != nil:
		res.Status = StatusCancelled
		if cause := context.Cause(ctx); !errors.Is(err, cause) {
			res.Err = fmt.Errorf("%w: %w", err, cause)
		}
	default:
		res.Status = StatusFailed
	}
	if res.Status.Failed() {
		res.FailedPhase = phase
	}
	if res.Status == StatusFailed && !r.keepGoing {
		cancel(fmt.Errorf("fail-fast: %s failed", t.host))
	}
	return r.finish(t, res, true)
}

// finish closes the host's logs and prints its outcome.
func (r *runner) finish(t *Task, res HostResult, started bool) HostResult {
	if err := t.finish(res, started); err != nil {
		r.mu.Lock()
		r.logErrs = append(r.logErrs, err)
		r.mu.Unlock()
	}
	r.con.finished(res, started)
	return res
}

// callJob turns a panicking job into a failed host: one bad host must not take down a deploy
// running on the others.
func callJob(ctx context.Context, t *Task, job Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return job(ctx, t)
}

// checkHosts rejects names that cannot be told apart in the report or used as log file names.
// One "/" is allowed, between two names: a unit on a host, HOST/GUEST (a MicroVM), whose log is
// HOST_GUEST.log (inventory names have no "_").
func checkHosts(hosts []string) error {
	seen := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		host, unit, isUnit := strings.Cut(h, "/")
		switch {
		case h == "" || h == "." || h == "..":
			return fmt.Errorf("parallel: invalid host name %q", h)
		case isUnit && (host == "" || unit == "" || host == "." || host == ".." || unit == "." || unit == ".." || strings.ContainsAny(unit, "/_") || strings.Contains(host, "_")):
			return fmt.Errorf("parallel: host %q: name contains a path separator or control character", h)
		case strings.ContainsAny(h, "\\\n\t"):
			return fmt.Errorf("parallel: host %q: name contains a path separator or control character", h)
		case seen[h]:
			return fmt.Errorf("parallel: host %s selected twice", h)
		}
		seen[h] = true
	}
	return nil
}

// makeRunDir creates <base>/<UTC timestamp>-<name>, adding a counter when two runs of the same
// name start within the same second.
func makeRunDir(base, name string, at time.Time) (string, error) {
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", fmt.Errorf("parallel: create runs directory: %w", err)
	}
	stem := filepath.Join(base, at.UTC().Format("20060102T150405Z")+"-"+fileName(name))
	for i := 1; ; i++ {
		dir := stem
		if i > 1 {
			dir = fmt.Sprintf("%s-%d", stem, i)
		}
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, fs.ErrExist) || i >= 1000 {
			return "", fmt.Errorf("parallel: create run directory: %w", err)
		}
	}
}

// liveMode decides whether to show the live view and, for a terminal, its size.
func liveMode(p Progress, out io.Writer, getenv func(string) string) (live bool, cols, rows int) {
	if p == ProgressPlain {
		return false, 0, 0
	}
	f, isFile := out.(interface{ Fd() uintptr })
	tty := isFile && term.IsTerminal(int(f.Fd()))
	if p == progressAuto && (!tty || getenv("CI") != "") {
		return false, 0, 0
	}
	if tty {
		if w, h, err := term.GetSize(int(f.Fd())); err == nil {
			// Keep a line for the cursor below the view.
			cols, rows = w, max(h-1, 1)
		}
	}
	return true, cols, rows
}

// startTicker redraws the live view every redrawInterval until the returned func is called.
func startTicker(con *console) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tk := time.NewTicker(redrawInterval)
		defer tk.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tk.C:
				con.redraw()
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}
