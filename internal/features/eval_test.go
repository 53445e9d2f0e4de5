package features

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
)

// builtinsFlake is a locked flake without inputs whose "NixOS configurations" are plain
// derivations: alpha and beta evaluate, broken throws as a broken host's module would. Nix
// evaluates it offline on any machine.
func builtinsFlake(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("evaluating writes the .drv files into /nix/store, which needs root without a nix-daemon")
	}
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not installed (Debian package nix-bin)")
	}
	dir := lockedRoot(t)
	flake := `{
  outputs = { self }:
    let
      system = name: {
        config.system.build.toplevel = derivation {
          inherit name;
          system = "x86_64-linux";
          builder = "/bin/sh";
          args = [ "-c" "echo ${name} > $out" ];
        };
      };
    in
    {
      nixosConfigurations = {
        alpha = system "alpha";
        beta = system "beta";
        broken.config.system.build.toplevel = throw "broken: this host's module fails";
      };
    };
}
`
	if err := os.WriteFile(filepath.Join(dir, "flake.nix"), []byte(flake), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestEvalHosts(t *testing.T) {
	root := builtinsFlake(t)
	t.Run("all evaluate, one nix eval per host", func(t *testing.T) {
		var echo bytes.Buffer
		hosts := []string{"alpha", "beta"}
		res, err := Evaluator{Root: root, Parallel: 2, ProbeTimeout: time.Minute, Local: (&command.Executor{Echo: &echo}).Local()}.EvalHosts(t.Context(), hosts)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Host != hosts[i] || !strings.HasSuffix(r.DrvPath, "-"+hosts[i]+".drv") || r.Err != nil {
				t.Errorf("result %d = %+v", i, r)
			}
		}
		if n := strings.Count(echo.String(), "+ local: nix eval "); n != 2 {
			t.Errorf("%d nix evals, want one per host:\n%s", n, echo.String())
		}
		wantProbe := "+ local: nix flake archive --extra-experimental-features 'nix-command flakes' --json --no-write-lock-file " + root + "\n"
		if !strings.HasPrefix(echo.String(), wantProbe) {
			t.Errorf("probe:\n%s\nwant first %q", echo.String(), wantProbe)
		}
	})
	t.Run("one host fails, the others still evaluate", func(t *testing.T) {
		hosts := []string{"alpha", "broken", "beta"}
		res, err := Evaluator{Root: root, Parallel: 3, ProbeTimeout: time.Minute}.EvalHosts(t.Context(), hosts)
		if err == nil || !strings.HasPrefix(err.Error(), "1 of 3 hosts failed to evaluate: evaluate broken: ") || !strings.Contains(err.Error(), "broken: this host's module fails") {
			t.Fatalf("error = %v, want the one broken host named with nix's message", err)
		}
		if !strings.HasSuffix(res[0].DrvPath, "-alpha.drv") || !strings.HasSuffix(res[2].DrvPath, "-beta.drv") || res[1].Err == nil || res[1].DrvPath != "" {
			t.Errorf("results = %+v", res)
		}
	})
	t.Run("cancelled context is not unreachable", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := Evaluator{Root: root, ProbeTimeout: time.Minute}.EvalHosts(ctx, []string{"alpha"})
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
	var echo bytes.Buffer
	root := t.TempDir()
	_, err := Evaluator{Root: root, ProbeTimeout: time.Second, Local: (&command.Executor{Echo: &echo}).Local()}.EvalHosts(t.Context(), []string{"p620"})
	var nl *NoLockError
	if !errors.As(err, &nl) || nl.Path != filepath.Join(root, "flake.lock") || !strings.Contains(err.Error(), "nix flake lock") {
		t.Fatalf("err = %v, want *NoLockError naming %s and how to make it", err, filepath.Join(root, "flake.lock"))
	}
	if echo.Len() != 0 {
		t.Errorf("nix called without a lock: %s", echo.String())
	}
}

// Offline puts every nix call into its own network namespace, with one download attempt (the
// command lines of a dry run).
func TestEvalHostsOfflineCommandLine(t *testing.T) {
	var cmds bytes.Buffer
	e := &command.Executor{DryRun: true, Out: &cmds}
	if _, err := (Evaluator{Root: lockedRoot(t), ProbeTimeout: time.Second, Local: e.Local(), Offline: true}).EvalHosts(t.Context(), []string{"p620"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(cmds.String()), "\n")
	for _, c := range lines {
		if !strings.HasPrefix(c, "[dry-run] local: unshare --net -- nix --offline --option download-attempts 1 ") {
			t.Errorf("call %q is not isolated from the network", c)
		}
	}
	if len(lines) != 2 {
		t.Errorf("calls = %v, want the probe and one eval", lines)
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
