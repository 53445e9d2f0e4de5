package parallel

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/nixos-hub/hub/internal/goldenfile"
)

// testTimeout bounds every test: a runner bug shows as a failure, not a hung test binary.
const testTimeout = 20 * time.Second

// newFakeClock only moves when a job advances it, so durations and log timestamps are exact.
func newFakeClock() *clockwork.FakeClock {
	return clockwork.NewFakeClockAt(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// mustRun runs Run with a watchdog so a runner that never returns fails the test in time.
func mustRun(t *testing.T, ctx context.Context, hosts []string, job Job, opts Options) *Report {
	t.Helper()
	type result struct {
		rep *Report
		err error
	}
	ch := make(chan result, 1)
	go func() {
		rep, err := Run(ctx, hosts, job, opts)
		ch <- result{rep, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("Run: %v", r.err)
		}
		return r.rep
	case <-time.After(testTimeout + 5*time.Second):
		t.Fatal("Run did not return")
		return nil
	}
}

func statuses(rep *Report) map[string]Status {
	m := make(map[string]Status, len(rep.Hosts))
	for _, h := range rep.Hosts {
		m[h.Host] = h.Status
	}
	return m
}

func result(t *testing.T, rep *Report, host string) HostResult {
	t.Helper()
	for _, h := range rep.Hosts {
		if h.Host == host {
			return h
		}
	}
	t.Fatalf("no result for host %s", host)
	return HostResult{}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

// waitFor blocks until ch is closed or the test's context ends.
func waitFor(ctx context.Context, ch <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
