// Package checks runs the hub's check suites (Go tests, vet, Nix syntax, and the suites each
// capability registers) concurrently, bounded by cores, and reports each suite's result and time,
// with JUnit XML for CI systems that read it.
//
// Entry points: [Hub] is the hub's list of suites, [Select] picks some, [Prepare] and [Run] run
// them, and [Summary] and [WriteJUnit] report; [EvalHosts] and [ProbeInputs] are the
// host-evaluation suite and its offline probe (a [SkipError]); [BuildPackages] and [WritePackages]
// build the flake's packages; [Tools] lists what the suites need installed.
package checks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/nixos-hub/hub/internal/sysdeps"
)

// Suite is one named check.
type Suite struct {
	Name  string
	Tools []sysdeps.Tool // system tools it calls; test:parallel makes sure they exist first
	// Prepare, when set, sets up what the suite's tests use but never fetch themselves (the
	// local fleet's systemd host image, downloaded from the Debian mirror), once before any
	// suite starts and after the tools are installed.
	Prepare func(ctx context.Context, out io.Writer) error
	// Run does the check, writing its progress lines to out. A suite made of individual tests
	// reports them through rec so they show up in JUnit and in the counts.
	Run func(ctx context.Context, out io.Writer, rec *Recorder) error
}

// TestCase is one test inside a suite.
type TestCase struct {
	Name     string
	Duration time.Duration
	Failed   bool
	Skipped  bool
	Output   string
}

// Recorder collects test cases from a running suite.
type Recorder struct {
	mu    sync.Mutex
	cases []TestCase
}

// Add records one test case.
func (r *Recorder) Add(tc TestCase) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cases = append(r.cases, tc)
}

func (r *Recorder) all() []TestCase {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]TestCase(nil), r.cases...)
}

// SkipError is returned by a suite that could check nothing on this machine (the nixpkgs the
// flake names cannot be had offline, say). It is reported as SKIPPED with its reason and
// counted as skipped, never as a pass, and it does not fail the run.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// skip is the error a suite returns when it could check nothing here.
func skip(format string, args ...any) error { return &SkipError{Reason: fmt.Sprintf(format, args...)} }

// Result is one suite's outcome.
type Result struct {
	Name     string
	Err      error
	Duration time.Duration
	Log      string // the suite's full output
	LogFile  string
	Tests    []TestCase
	Skipped  string // why the suite checked nothing, when it returned a SkipError
}

// Options control a run.
type Options struct {
	Limit    int       // suites at once; runtime.NumCPU() is the usual value
	Progress io.Writer // one line per suite start and finish, plus the suite's own progress lines
	LogDir   string    // each suite's output goes to <LogDir>/<name>.log when set
	// Timeout bounds each suite (0: none). A suite still running then is cancelled (its
	// processes killed through its context) and fails with "timed out after D"; the others
	// go on.
	Timeout time.Duration
}

// Prepare runs the suites' Prepare steps in order; the first failure stops it.
func Prepare(ctx context.Context, suites []Suite, out io.Writer) error {
	for _, s := range suites {
		if s.Prepare == nil {
			continue
		}
		if err := s.Prepare(ctx, out); err != nil {
			return fmt.Errorf("%s: prepare: %w", s.Name, err)
		}
	}
	return nil
}

// Run runs the suites and returns their results in the order given. It never stops early: CI wants
// every failure of a run, not the first.
func Run(ctx context.Context, suites []Suite, opt Options) []Result {
	if opt.Limit < 1 {
		opt.Limit = 1
	}
	progress := &lineWriter{w: opt.Progress}
	results := make([]Result, len(suites))
	var g errgroup.Group
	g.SetLimit(opt.Limit)
	for i, s := range suites {
		g.Go(func() error {
			results[i] = runOne(ctx, s, progress, opt.LogDir, opt.Timeout)
			return nil
		})
	}
	g.Wait()
	return results
}

func runOne(ctx context.Context, s Suite, progress *lineWriter, logDir string, timeout time.Duration) Result {
	progress.printf("%s: started\n", s.Name)
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, timeout, fmt.Errorf("timed out after %s (-timeout)", timeout))
		defer cancel()
	}
	var log strings.Builder
	out := &prefixWriter{prefix: s.Name + ": ", progress: progress, log: &log}
	rec := &Recorder{}
	start := time.Now()
	err := s.Run(ctx, out, rec)
	if cause := context.Cause(ctx); err != nil && cause != nil && ctx.Err() == context.DeadlineExceeded {
		err = fmt.Errorf("%w (%v)", cause, err)
	}
	out.flush()
	r := Result{Name: s.Name, Err: err, Duration: time.Since(start), Log: log.String(), Tests: rec.all()}
	if skip, ok := errors.AsType[*SkipError](err); ok {
		r.Err, r.Skipped = nil, skip.Reason
		r.Tests = append(r.Tests, TestCase{Name: s.Name, Duration: r.Duration, Skipped: true, Output: skip.Reason})
	}
	if logDir != "" {
		r.LogFile = filepath.Join(logDir, s.Name+".log")
		if werr := os.WriteFile(r.LogFile, []byte(r.Log), 0o644); werr != nil && r.Err == nil {
			r.Err = fmt.Errorf("writing %s: %w", r.LogFile, werr)
		}
	}
	switch {
	case r.Err != nil:
		progress.printf("%s: FAIL in %s\n", s.Name, r.Duration.Round(10*time.Millisecond))
	case r.Skipped != "":
		progress.printf("%s: SKIPPED in %s: %s\n", s.Name, r.Duration.Round(10*time.Millisecond), r.Skipped)
	default:
		progress.printf("%s: PASS in %s\n", s.Name, r.Duration.Round(10*time.Millisecond))
	}
	return r
}

// Summary writes the result table, the failures with their reasons, and the closing count line.
func Summary(w io.Writer, results []Result) (failed int) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SUITE\tRESULT\tTESTS\tTIME\tLOG")
	for _, r := range results {
		status := "ok"
		switch {
		case r.Err != nil:
			status = "FAIL"
			failed++
		case r.Skipped != "":
			status = "SKIPPED"
		}
		tests := "-"
		if len(r.Tests) > 0 {
			p, f, s := count(r.Tests)
			tests = fmt.Sprintf("%d passed, %d failed, %d skipped", p, f, s)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, status, tests, r.Duration.Round(10*time.Millisecond), r.LogFile)
	}
	tw.Flush()
	for _, r := range results {
		if r.Err == nil {
			continue
		}
		fmt.Fprintf(w, "\n--- %s failed: %v\n", r.Name, r.Err)
		var names []string
		for _, tc := range r.Tests {
			if tc.Failed {
				names = append(names, tc.Name)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(w, "    failed test: %s\n", n)
		}
		if len(names) == 0 {
			fmt.Fprint(w, tail(r.Log, 30))
		}
	}
	for _, r := range results {
		if r.Skipped != "" {
			fmt.Fprintf(w, "\n--- %s SKIPPED (nothing was checked): %s\n", r.Name, r.Skipped)
		}
	}
	var p, f, s int
	for _, r := range results {
		if len(r.Tests) == 0 {
			// A suite without individual tests counts as one.
			if r.Err != nil {
				f++
			} else {
				p++
			}
			continue
		}
		tp, tf, ts := count(r.Tests)
		p, f, s = p+tp, f+tf, s+ts
		if r.Err != nil && tf == 0 {
			f++ // failed outside any test (build failure, crash)
		}
	}
	fmt.Fprintf(w, "\ntests: %d passed, %d failed, %d skipped\n", p, f, s)
	return failed
}

func count(tcs []TestCase) (passed, failed, skipped int) {
	for _, tc := range tcs {
		switch {
		case tc.Failed:
			failed++
		case tc.Skipped:
			skipped++
		default:
			passed++
		}
	}
	return
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "    " + strings.Join(lines, "\n    ") + "\n"
}

// lineWriter serialises whole lines from concurrent suites.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) printf(format string, args ...any) {
	if l.w == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format, args...)
}

// prefixWriter keeps a suite's full output and forwards complete lines to the progress writer.
type prefixWriter struct {
	prefix   string
	progress *lineWriter
	mu       sync.Mutex
	log      *strings.Builder
	partial  []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log.Write(b)
	p.partial = append(p.partial, b...)
	for {
		i := strings.IndexByte(string(p.partial), '\n')
		if i < 0 {
			break
		}
		p.progress.printf("%s%s\n", p.prefix, p.partial[:i])
		p.partial = p.partial[i+1:]
	}
	return len(b), nil
}

func (p *prefixWriter) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.partial) > 0 {
		p.progress.printf("%s%s\n", p.prefix, p.partial)
		p.partial = nil
	}
}
