package features

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeNix answers `nix flake archive` with probeErr and `nix eval` per host from drv/fail, and
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
	if slices.Contains(args, "archive") {
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
	root := lockedRoot(t)
	hosts := []string{"p620", "p510", "razer", "dex5550"}
	t.Run("all evaluate, at most Parallel at once", func(t *testing.T) {
		f := &fakeNix{}
		res, err := Evaluator{Root: root, Parallel: 2, ProbeTimeout: time.Second, Run: f.run}.EvalHosts(context.Background(), hosts)
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
		wantProbe := "nix --extra-experimental-features nix-command flakes flake archive --json --no-write-lock-file ."
		if f.calls[0] != wantProbe {
			t.Errorf("probe = %q, want %q", f.calls[0], wantProbe)
		}
	})
	t.Run("one host fails, the others still run", func(t *testing.T) {
		f := &fakeNix{fail: map[string]bool{"razer": true}}
		res, err := Evaluator{Root: root, Parallel: 4, ProbeTimeout: time.Second, Run: f.run}.EvalHosts(context.Background(), hosts)
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
		res, err := Evaluator{Root: root, Parallel: 2, ProbeTimeout: time.Second, Run: f.run}.EvalHosts(context.Background(), hosts)
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
		_, err := Evaluator{Root: root, ProbeTimeout: 50 * time.Millisecond, Run: f.run}.EvalHosts(context.Background(), hosts)
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
		_, err := Evaluator{Root: root, ProbeTimeout: time.Second, Run: f.run}.EvalHosts(ctx, hosts)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		var ue *UnreachableError
		if errors.As(err, &ue) {
			t.Errorf("cancellation reported as unreachable inputs")
		}
	})
}

// lockedRoot is a flake directory with a flake.lock, which EvalHosts requires before it runs nix.
func lockedRoot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "flake.lock"), []byte(`{"nodes":{"root":{}},"root":"root","version":7}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Without flake.lock nothing is evaluated and nix is never called: an unlocked flake would
// fetch its inputs from the network, and its result would say nothing about the pinned ones.
func TestEvalHostsNeedsLock(t *testing.T) {
	f := &fakeNix{}
	root := t.TempDir()
	_, err := Evaluator{Root: root, ProbeTimeout: time.Second, Run: f.run}.EvalHosts(context.Background(), []string{"p620"})
	var nl *NoLockError
	if !errors.As(err, &nl) || nl.Path != filepath.Join(root, "flake.lock") || !strings.Contains(err.Error(), "nix flake lock") {
		t.Fatalf("err = %v, want *NoLockError naming %s and how to make it", err, filepath.Join(root, "flake.lock"))
	}
	if len(f.calls) != 0 {
		t.Errorf("nix called without a lock: %v", f.calls)
	}
}

// Offline puts every nix call into its own network namespace, with one download attempt.
func TestEvalHostsOfflineCommandLine(t *testing.T) {
	f := &fakeNix{}
	if _, err := (Evaluator{Root: lockedRoot(t), ProbeTimeout: time.Second, Run: f.run, Offline: true}).EvalHosts(context.Background(), []string{"p620"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.calls {
		if !strings.HasPrefix(c, "unshare --net -- nix --offline --option download-attempts 1 --extra-experimental-features nix-command flakes ") {
			t.Errorf("call %q is not isolated from the network", c)
		}
	}
	if len(f.calls) != 2 {
		t.Errorf("calls = %v, want the probe and one eval", f.calls)
	}
}

// For real: a locked input that is not in the store is unreachable offline, quickly, and no
// packet can leave (the namespace has only a loopback that is down).
func TestEvalHostsOfflineForReal(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("unshare --net needs root")
	}
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not installed (Debian package nix-bin)")
	}
	dir := t.TempDir()
	flake := `{ inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11"; outputs = { self, nixpkgs }: { }; }`
	lock := `{"nodes":{"nixpkgs":{"locked":{"lastModified":1764000000,"narHash":"sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","owner":"NixOS","repo":"nixpkgs","rev":"0000000000000000000000000000000000000000","type":"github"},"original":{"owner":"NixOS","ref":"nixos-25.11","repo":"nixpkgs","type":"github"}},"root":{"inputs":{"nixpkgs":"nixpkgs"}}},"root":"root","version":7}`
	for name, body := range map[string]string{"flake.nix": flake, "flake.lock": lock} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	_, err := Evaluator{Root: dir, ProbeTimeout: time.Minute, Offline: true}.EvalHosts(t.Context(), []string{"p620"})
	var ue *UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want *UnreachableError", err)
	}
	t.Logf("unreachable after %s: %v", time.Since(start).Round(time.Millisecond), err)
}
