package parallel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/syncbuffer"
)

func hostNames(n int) []string {
	hosts := make([]string, n)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("host-%03d", i)
	}
	return hosts
}

func TestLimitIsNeverExceeded(t *testing.T) {
	for _, limit := range []int{1, 3, 16} {
		t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
			ctx := testContext(t)
			var inFlight, peak atomic.Int64
			full := make(chan struct{})
			var fullOnce sync.Once
			job := func(ctx context.Context, t *Task) error {
				n := inFlight.Add(1)
				defer inFlight.Add(-1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				if n == int64(limit) {
					fullOnce.Do(func() { close(full) })
				}
				// The first jobs hold their slots until all slots are taken, so reaching the
				// limit is certain rather than a matter of scheduling luck.
				if err := waitFor(ctx, full); err != nil {
					return err
				}
				time.Sleep(time.Millisecond)
				return nil
			}
			rep := mustRun(t, ctx, hostNames(100), job, Options{Limit: limit, Out: &syncbuffer.Buffer{}, Progress: ProgressPlain})
			if got := peak.Load(); got != int64(limit) {
				t.Errorf("peak in-flight jobs = %d, want exactly the limit %d", got, limit)
			}
			if rep.Failed() != 0 {
				t.Errorf("Failed() = %d, want 0: %v", rep.Failed(), rep.Err())
			}
		})
	}
}

func TestCancellationStopsNewAndRunningWork(t *testing.T) {
	tests := []struct {
		name      string
		wantCause error
		// cancel cancels the run from outside once two jobs are running.
		cancel func(t *testing.T, cancelParent context.CancelFunc, signals chan<- os.Signal)
	}{
		{
			name:      "parent context",
			wantCause: context.Canceled,
			cancel: func(_ *testing.T, cancelParent context.CancelFunc, _ chan<- os.Signal) {
				cancelParent()
			},
		},
		{
			name:      "interrupt",
			wantCause: errInterrupted,
			cancel: func(_ *testing.T, _ context.CancelFunc, signals chan<- os.Signal) {
				signals <- os.Interrupt
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent, cancelParent := context.WithCancel(testContext(t))
			defer cancelParent()
			signals := make(chan os.Signal, 1)
			exited := make(chan int, 1)
			ctx, stop := WithInterrupt(parent, SignalOptions{Signals: signals, Exit: func(code int) { exited <- code }, Out: &syncbuffer.Buffer{}})
			defer stop()

			var started sync.WaitGroup
			started.Add(2)
			var observedDone atomic.Int64
			job := func(ctx context.Context, t *Task) error {
				t.Phase("wait")
				started.Done()
				<-ctx.Done()
				observedDone.Add(1)
				return ctx.Err()
			}
			go func() {
				started.Wait()
				tt.cancel(t, cancelParent, signals)
			}()
			rep := mustRun(t, ctx, []string{"a", "b", "c", "d", "e"}, job, Options{Limit: 2, Out: &syncbuffer.Buffer{}, Progress: ProgressPlain})

			want := map[string]Status{"a": StatusCancelled, "b": StatusCancelled, "c": StatusNotRun, "d": StatusNotRun, "e": StatusNotRun}
			for h, s := range statuses(rep) {
				if s != want[h] {
					t.Errorf("host %s: status %q, want %q", h, s, want[h])
				}
			}
			if got := observedDone.Load(); got != 2 {
				t.Errorf("%d jobs observed ctx.Done, want the 2 running ones", got)
			}
			for _, h := range rep.Hosts {
				if !errors.Is(h.Err, tt.wantCause) {
					t.Errorf("host %s: error %v does not wrap %v", h.Host, h.Err, tt.wantCause)
				}
			}
			if a := result(t, rep, "a"); a.FailedPhase != "wait" {
				t.Errorf("cancelled host failed phase = %q, want %q", a.FailedPhase, "wait")
			}
			if rep.Failed() != 5 {
				t.Errorf("Failed() = %d, want 5", rep.Failed())
			}
			select {
			case code := <-exited:
				t.Errorf("exit(%d) called after a single interrupt", code)
			default:
			}
		})
	}
}

func TestFailFastAndKeepGoing(t *testing.T) {
	errBoom := errors.New("boom")
	// sequential: limit 1 makes the order deterministic; only c fails, b and d end with
	// non-failing statuses that must not trigger fail-fast.
	sequential := func(release chan struct{}) Job {
		return func(ctx context.Context, t *Task) error {
			switch t.Host() {
			case "b":
				return Skip("nothing to do")
			case "c":
				return errBoom
			case "d":
				return Warn("switched, units failed", errors.New("nginx.service"))
			}
			return nil
		}
	}
	// concurrent: a and c are running when b fails. They finish only when d runs (which it
	// does only if the run goes on) or when their context is cancelled.
	concurrent := func(release chan struct{}) Job {
		var aAndC sync.WaitGroup
		aAndC.Add(2)
		return func(ctx context.Context, t *Task) error {
			switch t.Host() {
			case "a", "c":
				aAndC.Done()
				select {
				case <-release:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			case "b":
				aAndC.Wait()
				return errBoom
			case "d":
				close(release)
			}
			return nil
		}
	}
	tests := []struct {
		name      string
		job       func(release chan struct{}) Job
		limit     int
		keepGoing bool
		want      map[string]Status
	}{
		{
			name: "sequential fail-fast", job: sequential, limit: 1,
			want: map[string]Status{"a": StatusOK, "b": StatusSkipped, "c": StatusFailed, "d": StatusNotRun, "e": StatusNotRun},
		},
		{
			name: "sequential keep-going", job: sequential, limit: 1, keepGoing: true,
			want: map[string]Status{"a": StatusOK, "b": StatusSkipped, "c": StatusFailed, "d": "switched, units failed", "e": StatusOK},
		},
		{
			name: "concurrent fail-fast", job: concurrent, limit: 3,
			want: map[string]Status{"a": StatusCancelled, "b": StatusFailed, "c": StatusCancelled, "d": StatusNotRun, "e": StatusNotRun},
		},
		{
			name: "concurrent keep-going", job: concurrent, limit: 3, keepGoing: true,
			want: map[string]Status{"a": StatusOK, "b": StatusFailed, "c": StatusOK, "d": StatusOK, "e": StatusOK},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := mustRun(t, testContext(t), []string{"a", "b", "c", "d", "e"}, tt.job(make(chan struct{})),
				Options{Limit: tt.limit, KeepGoing: tt.keepGoing, Out: &syncbuffer.Buffer{}, Progress: ProgressPlain})
			got := statuses(rep)
			wantFailed := 0
			for h, s := range tt.want {
				if got[h] != s {
					t.Errorf("host %s: status %q, want %q", h, got[h], s)
				}
				if s.Failed() {
					wantFailed++
				}
			}
			if rep.Failed() != wantFailed {
				t.Errorf("Failed() = %d, want %d", rep.Failed(), wantFailed)
			}
			for _, h := range rep.Hosts {
				if h.Status == StatusFailed && !errors.Is(h.Err, errBoom) {
					t.Errorf("failed host %s: error %v, want %v", h.Host, h.Err, errBoom)
				}
			}
			if !tt.keepGoing {
				if e := result(t, rep, "e"); e.Err == nil || !strings.Contains(e.Err.Error(), "fail-fast") {
					t.Errorf("not-run host error = %v, want the fail-fast cause", e.Err)
				}
			}
		})
	}
}

func TestRunRejectsBadHostLists(t *testing.T) {
	tests := []struct {
		name  string
		hosts []string
		want  string
	}{
		{"empty name", []string{"a", ""}, `invalid host name ""`},
		{"dot dot", []string{".."}, `invalid host name ".."`},
		{"path separator", []string{"a/b/c"}, "path separator"},
		{"leading separator", []string{"/b"}, "path separator"},
		{"unit dot dot", []string{"a/.."}, "path separator"},
		{"backslash", []string{`a\b`}, "path separator"},
		{"duplicate", []string{"a", "b", "a"}, "host a selected twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran := false
			_, err := Run(testContext(t), tt.hosts, func(context.Context, *Task) error { ran = true; return nil }, Options{Out: &syncbuffer.Buffer{}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run error = %v, want one containing %q", err, tt.want)
			}
			if ran {
				t.Error("a job ran despite the invalid host list")
			}
		})
	}
}

func TestPanickingJobFailsOnlyItsHost(t *testing.T) {
	job := func(ctx context.Context, t *Task) error {
		if t.Host() == "bad" {
			t.Phase("build")
			panic("nil map")
		}
		return nil
	}
	rep := mustRun(t, testContext(t), []string{"bad", "good"}, job, Options{KeepGoing: true, Out: &syncbuffer.Buffer{}, Progress: ProgressPlain})
	bad := result(t, rep, "bad")
	if bad.Status != StatusFailed || bad.FailedPhase != "build" || bad.Err == nil || bad.Err.Error() != "panic: nil map" {
		t.Errorf("panicking host = %+v, want failed in build with the panic value", bad)
	}
	if s := result(t, rep, "good").Status; s != StatusOK {
		t.Errorf("other host status = %q, want ok", s)
	}
}

func TestWriteAfterJobReturnsIsRefused(t *testing.T) {
	var task *Task
	rep := mustRun(t, testContext(t), []string{"a"}, func(_ context.Context, t *Task) error {
		task = t
		return nil
	}, Options{Out: &syncbuffer.Buffer{}, Progress: ProgressPlain})
	if rep.Failed() != 0 {
		t.Fatal(rep.Err())
	}
	if _, err := task.Write([]byte("late\n")); !errors.Is(err, errTaskDone) {
		t.Errorf("Write after return: error %v, want %v", err, errTaskDone)
	}
}

func TestRunDirectoryAndLogFiles(t *testing.T) {
	clock := newFakeClock()
	base := filepath.Join(t.TempDir(), "runs")
	job := func(ctx context.Context, t *Task) error {
		t.Logf("before any phase")
		t.Phase("build")
		fmt.Fprint(t, "compiling\nlinking")
		t.Phase("activate/switch")
		t.Logf("switching")
		t.Phase("build")
		t.Logf("build again")
		return nil
	}
	out := &syncbuffer.Buffer{}
	opts := Options{Name: "deploy all", Out: out, RunDir: base, Now: clock.Now, Progress: ProgressPlain}
	rep := mustRun(t, testContext(t), []string{"web"}, job, opts)
	wantDir := filepath.Join(base, "20260102T030405Z-deploy-all")
	if rep.RunDir != wantDir {
		t.Fatalf("run dir = %q, want %q", rep.RunDir, wantDir)
	}
	if n := strings.Count(out.String(), "logs in "+wantDir); n != 2 {
		t.Errorf("run dir printed %d times, want at start and end:\n%s", n, out)
	}

	files := map[string]string{
		"web.log": "03:04:05.000 before any phase\n03:04:05.000 -- phase build\n03:04:05.000 compiling\n" +
			"03:04:05.000 -- phase activate/switch\n03:04:05.000 switching\n03:04:05.000 -- phase build\n" +
			"03:04:05.000 build again\n03:04:05.000 linking\n03:04:05.000 -- ok after 0.0s\n",
		// "linking" had no newline: it is flushed when the job returns, into the phase then current.
		"web/build.log":           "03:04:05.000 compiling\n03:04:05.000 build again\n03:04:05.000 linking\n",
		"web/activate-switch.log": "03:04:05.000 switching\n",
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(wantDir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if string(got) != want {
			t.Errorf("%s:\n%s\nwant:\n%s", name, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(wantDir, "report.json")); err != nil {
		t.Errorf("report.json: %v", err)
	}

	// A second run of the same name in the same second gets its own directory.
	rep2 := mustRun(t, testContext(t), []string{"web"}, job, opts)
	if rep2.RunDir != wantDir+"-2" {
		t.Errorf("second run dir = %q, want %q", rep2.RunDir, wantDir+"-2")
	}
}

func TestEmptySelectionRunsNothing(t *testing.T) {
	out := &syncbuffer.Buffer{}
	rep := mustRun(t, testContext(t), nil, func(context.Context, *Task) error {
		return errors.New("no host was selected, so no job may run")
	}, Options{Name: "hosts-ping", Out: out, Progress: ProgressPlain})
	if len(rep.Hosts) != 0 || rep.Failed() != 0 || rep.Err() != nil {
		t.Errorf("report = %+v, want empty and not failed", rep)
	}
	if !strings.Contains(out.String(), "hosts-ping: no hosts in ") {
		t.Errorf("output = %q, want the run summary", out)
	}
}

// A unit on a host (a MicroVM, HOST/GUEST) is one row, and its logs are HOST_GUEST.log and
// HOST_GUEST/<phase>.log in the run directory.
func TestRunUnitOfAHost(t *testing.T) {
	base := t.TempDir()
	rep, err := Run(testContext(t), []string{"p620/dev-vm", "p620"}, func(_ context.Context, task *Task) error {
		task.Phase("start")
		fmt.Fprintln(task, "hello from", task.Host())
		return nil
	}, Options{Name: "vm-start", Out: &syncbuffer.Buffer{}, RunDir: base})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"p620_dev-vm.log", "p620_dev-vm/start.log", "p620.log"} {
		if _, err := os.Stat(filepath.Join(rep.RunDir, f)); err != nil {
			t.Errorf("log %s: %v", f, err)
		}
	}
	if len(rep.Hosts) != 2 || rep.Hosts[1].Host != "p620/dev-vm" {
		t.Errorf("rows %+v, want p620 and p620/dev-vm", rep.Hosts)
	}
}
