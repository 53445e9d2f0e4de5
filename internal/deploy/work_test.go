package deploy

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/nix"
)

// nix's own words (nix-store --realise --dry-run, Nix 2.8 and later), both spellings.
func TestParseDryRun(t *testing.T) {
	out := `these 2 derivations will be built:
  /nix/store/aaaa-nixos-system-p620.drv
  /nix/store/bbbb-etc.drv
these 3 paths will be fetched (12.34 MiB download, 56.70 MiB unpacked):
  /nix/store/cccc-glibc-2.40
  /nix/store/dddd-bash-5.2
  /nix/store/eeee-coreutils-9.5
warning: something else
`
	w := parseDryRun(out)
	if len(w.Build) != 2 || len(w.Fetch) != 3 || w.Download != 12.34 || w.Unpacked != 56.7 || w.Fetch[2] != "/nix/store/eeee-coreutils-9.5" {
		t.Errorf("parse = %+v", w)
	}
	one := parseDryRun("this derivation will be built:\n  /nix/store/aaaa-x.drv\nthis path will be fetched (0.01 MiB download, 0.02 MiB unpacked):\n  /nix/store/bbbb-y\n")
	if len(one.Build) != 1 || len(one.Fetch) != 1 || one.Download != 0.01 {
		t.Errorf("singular = %+v", one)
	}
	if none := parseDryRun(""); len(none.Build)+len(none.Fetch) != 0 {
		t.Errorf("nothing to do = %+v", none)
	}
}

// On the local fleet: a host with a staged change has its new system to build; a host whose
// system is already in the store has nothing to build or fetch. Nothing is built either way.
func TestWorkOnTheLocalFleet(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620", "razer"}})
	inv := fleettest.Inventory(t, lf)
	if _, err := lf.Stage("p620", func(v *localfleet.Variant) { v.Kernel = "6.12.1" }); err != nil {
		t.Fatal(err)
	}
	e := &command.Executor{}
	defer e.Close()
	work, err := Work(context.Background(), inv, e.Local(), inv.Hosts, nix.Local())
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]HostWork{}
	for _, w := range work {
		by[w.Host] = w
	}
	p620, razer := by["p620"], by["razer"]
	if len(p620.Build) == 0 || !slices.Contains(p620.Build, p620.System.Drv) {
		t.Errorf("p620 with a staged kernel: build %v, want its system %s among them", p620.Build, p620.System.Drv)
	}
	if len(razer.Build)+len(razer.Fetch) != 0 {
		t.Errorf("razer, already built: build %v fetch %v, want nothing", razer.Build, razer.Fetch)
	}
	if res, _ := e.Local().Run(context.Background(), command.Cmd{Args: []string{"nix-store", "--check-validity", p620.System.Out}}); res.ExitCode == 0 {
		t.Errorf("p620's new system %s was built: a dry run must build nothing", p620.System.Out)
	}
	var b bytes.Buffer
	if err := WriteWork(&b, work, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "p620 build "+p620.System.Drv) {
		t.Errorf("verbose listing lacks p620's derivation:\n%s", b.String())
	}
}
