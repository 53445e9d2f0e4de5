package deploy

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/nixprogress"
)

// buildPlans' per-host plans, from one dry run of the wave and the derivation graph, are what a
// dry run of each derivation alone says: three systems sharing a dependency that is already
// built, one sharing an unbuilt one, one with a dependency of its own.
func TestBuildPlansFromOneDryRun(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate not installed")
	}
	salt := fmt.Sprint(time.Now().UnixNano())
	expr := `let
  mk = name: deps: derivation { name = "` + salt + `-${name}"; system = builtins.currentSystem;
    builder = "/bin/sh"; args = [ "-c" "echo ${name} > $out" ]; inherit deps; };
  built = mk "built" [ ];
  shared = mk "shared" [ ];
  own = mk "own" [ ];
in {
  inherit built;
  a = mk "a" [ built shared ];
  b = mk "b" [ built shared ];
  c = mk "c" [ built own ];
}`
	ctx := context.Background()
	e := &command.Executor{}
	defer e.Close()
	local := nix.Nix{Host: e.Local(), Settings: nix.Local()}
	drv := func(attr string) string {
		out, err := exec.Command("nix-instantiate", "--expr", expr, "-A", attr).Output()
		if err != nil {
			t.Fatalf("instantiate %s: %v", attr, err)
		}
		return strings.TrimSpace(string(out))
	}
	if _, err := local.Realise(ctx, []string{drv("built")}, nix.RealiseOptions{}); err != nil {
		t.Fatalf("building the shared dependency: %v", err)
	}
	drvs := []string{drv("a"), drv("b"), drv("c")}
	got := buildPlans(ctx, local, drvs)
	for _, d := range drvs {
		res, err := local.Realise(ctx, []string{d}, nix.RealiseOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		want := nixprogress.ParseDryRun(string(res.Stderr))
		g := got[d]
		slices.Sort(g.Build)
		slices.Sort(want.Build)
		if !slices.Equal(g.Build, want.Build) || !slices.Equal(g.Fetch, want.Fetch) {
			t.Errorf("%s: plan %+v, a dry run of it alone says %+v", d, g, want)
		}
		if len(g.Build) != 2 { // itself and shared or own, not the built one
			t.Errorf("%s: %d to build (%v), want 2", d, len(g.Build), g.Build)
		}
	}
}
