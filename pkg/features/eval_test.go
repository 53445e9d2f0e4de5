package features

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeNix answers `nix flake metadata` with probeErr and `nix eval` per host from drv/fail, and
// records the highest number of evaluations running at once.
type fakeNix struct {
	probeErr   error
	probeDelay time.Duration
	fail       map[string]bool
	running    atomic.Int32
	peak       atomic.Int32
	mu         sync.Mutex
	calls      []string
}

func (f *fakeNix) run(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	f.mu.Lock()
	f.calls = append(f.calls, name+" "+strings.Join(args, " "))
	f.mu.Unlock()
	if slices.Contains(args, "metadata") {
		select {
		case <-time.After(f.probeDelay):
			return nil, f.probeErr
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	n := f.running.Add(1)
	defer f.running.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	time.Sleep(10 * time.Millisecond)
	attr := args[len(args)-1]
	host := strings.Split(strings.TrimPrefix(attr, ".#nixosConfigurations."), ".")[0]
	if f.fail[host] {
		return nil, errors.New("error: attribute 'foo' missing")
	}
	return []byte("/nix/store/" + host + ".drv\n"), nil
}

func TestEvalHosts(t *testing.T) {
	hosts := []string{"p620", "p510", "razer", "dex5550"}
	t.Run("all evaluate, at most Parallel at once", func(t *testing.T) {
		f := &fakeNix{}
		res, err := Evaluator{Root: "/repo", Parallel: 2, ProbeTimeout: time.Second, Run: f.run}.EvalHosts(context.Background(), hosts)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Host != hosts[i] || r.DrvPath != "/nix/store/"+hosts[i]+".drv" || r.Err != nil {
				t.Errorf("result %d = %+v", i, r)
			}
		}
		if p := f.peak.Load(); p != 2 {
			t.Errorf("peak concurrency = %d, want 2", p)
		}
		wantProbe := "nix --extra-experimental-features nix-command flakes flake metadata --json --no-write-lock-file ."
		if f.calls[0] != wantProbe {
			t.Errorf("probe = %q, want %q", f.calls[0], wantProbe)
		}
	})
	t.Run("one host fails, the others still run", func(t *testing.T) {
		f := &fakeNix{fail: map[string]bool{"razer": true}}
		res, err := Evaluator{Root: "/repo", Parallel: 4, ProbeTimeout: time.Second, Run: f.run}.EvalHosts(context.Background(), hosts)
		want := "1 of 4 hosts failed to evaluate: host razer: evaluating toplevel: error: attribute 'foo' missing"
		if err == nil || err.Error() != want {
			t.Fatalf("error = %v, want %q", err, want)
		}
		if res[0].DrvPath != "/nix/store/p620.drv" || res[3].DrvPath != "/nix/store/dex5550.drv" || res[2].Err == nil {
			t.Errorf("results = %+v", res)
		}
	})
	t.Run("unreachable inputs skip", func(t *testing.T) {
		f := &fakeNix{probeErr: errors.New("unable to download 'https://github.com/NixOS/nixpkgs'")}
		res, err := Evaluator{Root: "/repo", Parallel: 2, ProbeTimeout: time.Second, Run: f.run}.EvalHosts(context.Background(), hosts)
		var ue *UnreachableError
		if !errors.As(err, &ue) || res != nil {
			t.Fatalf("err = %v, results = %v; want *UnreachableError and no results", err, res)
		}
		if want := "skipped: the flake inputs (nixpkgs) are not reachable: unable to download 'https://github.com/NixOS/nixpkgs'"; err.Error() != want {
			t.Errorf("error = %q, want %q", err, want)
		}
		if len(f.calls) != 1 {
			t.Errorf("evaluated despite unreachable inputs: %v", f.calls)
		}
	})
	t.Run("probe timeout counts as unreachable", func(t *testing.T) {
		f := &fakeNix{probeDelay: time.Minute}
		start := time.Now()
		_, err := Evaluator{Root: "/repo", ProbeTimeout: 50 * time.Millisecond, Run: f.run}.EvalHosts(context.Background(), hosts)
		var ue *UnreachableError
		if !errors.As(err, &ue) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want *UnreachableError wrapping the deadline", err)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("probe took %v despite a 50ms timeout", time.Since(start))
		}
	})
	t.Run("cancelled context is not unreachable", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		f := &fakeNix{probeDelay: time.Minute}
		_, err := Evaluator{Root: "/repo", ProbeTimeout: time.Second, Run: f.run}.EvalHosts(ctx, hosts)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		var ue *UnreachableError
		if errors.As(err, &ue) {
			t.Errorf("cancellation reported as unreachable inputs")
		}
	})
}
