package checks

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

func writeFlake(t *testing.T, flake, lock string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "flake.nix"), []byte(flake), 0o644); err != nil {
		t.Fatal(err)
	}
	if lock != "" {
		if err := os.WriteFile(filepath.Join(dir, "flake.lock"), []byte(lock), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const packagesFlake = `{
  outputs = { self }: let
    mk = name: script: derivation ({ inherit name; system = "%s"; builder = "/bin/sh"; args = [ "-c" script ]; }
      // (if name == "hub-go-modules" then { outputHashAlgo = "sha256"; outputHashMode = "flat"; outputHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; } else { }));
  in {
    packages.%s = rec {
      tool = mk "tool-1.0" "echo built > $out";
      broken = mk "broken-1.0" "echo 'error: the vendored modules do not match' >&2; exit 1";
      # A fixed-output derivation whose hash is stale, as a vendorHash is after go.sum changed.
      vendored = (mk "hub-go-modules" "echo modules > $out") // { };
      default = tool;
    };
  };
}
`

// Every package of a builtins-only flake built by nix: a good one, a broken one (its error line
// reported), and default, an alias built once.
func TestBuildPackages(t *testing.T) {
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not installed")
	}
	sys := nixSystem()
	dir := writeFlake(t, strings.ReplaceAll(packagesFlake, "%s", sys), `{"nodes":{"root":{}},"root":"root","version":7}`)
	local := nix.Nix{Host: (&command.Executor{}).Local(), Settings: nix.Local(), Offline: true}
	res, err := BuildPackages(t.Context(), local, PackagesOptions{Flake: dir, Limit: 2, ProbeTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err = WritePackages(&b, res)
	if err == nil || err.Error() != "2 of 4 packages failed to build: broken, vendored" {
		t.Errorf("WritePackages = %v", err)
	}
	out := b.String()
	for _, want := range []string{"broken    FAIL", "package broken: nix build: error: builder for", "(its log ends: error: the vendored modules do not match)", "default   ok      (as tool)", "tool      ok",
		"package vendored: a fixed-output hash does not match (got sha256-", "run go tool mage nix:vendorHash"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if len(res) != 4 || res[1].Name != "tool" || !strings.HasSuffix(res[1].Out, "-tool-1.0") || res[3].Out != res[1].Out {
		t.Errorf("results %+v", res)
	}
	if _, err := BuildPackages(t.Context(), local, PackagesOptions{Flake: dir, Only: []string{"nope"}, ProbeTimeout: time.Minute}); err == nil ||
		err.Error() != "-only: the flake has no packages."+sys+".nope (packages: broken, default, tool, vendored)" {
		t.Errorf("-only nope: %v", err)
	}
}

// Without a lock, or with inputs that cannot be fetched, nothing is built and the result is a
// skip, never a pass.
func TestBuildPackagesSkips(t *testing.T) {
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not installed")
	}
	local := nix.Nix{Host: (&command.Executor{}).Local(), Settings: nix.Local(), Offline: true}
	noLock := writeFlake(t, "{ outputs = { self }: { }; }", "")
	_, err := BuildPackages(t.Context(), local, PackagesOptions{Flake: noLock, ProbeTimeout: time.Minute})
	if skip, ok := errors.AsType[*SkipError](err); !ok || !strings.Contains(skip.Reason, "flake.lock does not exist") {
		t.Errorf("no lock: %v", err)
	}
	// An input locked to a repository that is not there: fetching it fails here, offline.
	gone := writeFlake(t, "{ inputs.dep.url = \"git+file:///nonexistent/dep\"; outputs = { self, dep }: { }; }",
		`{"nodes":{"dep":{"locked":{"lastModified":1,"narHash":"sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","rev":"0000000000000000000000000000000000000000","type":"git","url":"file:///nonexistent/dep"},"original":{"type":"git","url":"file:///nonexistent/dep"}},"root":{"inputs":{"dep":"dep"}}},"root":"root","version":7}`)
	_, err = BuildPackages(t.Context(), local, PackagesOptions{Flake: gone, ProbeTimeout: time.Minute})
	if skip, ok := errors.AsType[*SkipError](err); !ok || !strings.Contains(skip.Reason, "cannot be fetched, so nothing was evaluated") {
		t.Errorf("unreachable input: %v", err)
	}
}
