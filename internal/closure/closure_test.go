package closure

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/parallel"
)

// Both JSON forms of nix path-info: Debian's Nix 2.8 (a list) and NixOS's 2.19+ (by path).
func TestParsePathInfo(t *testing.T) {
	for _, name := range []string{"path-info-2.8.json", "path-info-2.28.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		ps, err := parsePathInfo(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(ps) != 3 || base(ps[0].Path) != "abcd-linux-firmware-20251111" || ps[0].NAR != 603979776 || ps[2].Closure != 2097152 {
			t.Errorf("%s: %+v", name, ps)
		}
	}
	if _, err := parsePathInfo([]byte(`{"/nix/store/x-y": null}`)); err == nil || err.Error() != "x-y is not valid in the store" {
		t.Errorf("invalid path: %v", err)
	}
}

// sp is a store path with a hash of 32 copies of c.
func sp(c, name string) string { return "/nix/store/" + strings.Repeat(c, 32) + "-" + name }

func TestGrewAndReport(t *testing.T) {
	mk := func(label string, ps ...Path) System {
		s := System{Path: ps[0].Path, Label: label, Size: ps[0].Closure, Paths: sorted(slices.Clone(ps))}
		return s
	}
	before := mk("generation 6",
		Path{sp("a", "nixos-system-p620-25.11"), 1 << 10, 3 << 30},
		Path{sp("b", "linux-6.12.40"), 150 << 20, 150 << 20},
		Path{sp("c", "firefox-140.0"), 250 << 20, 400 << 20},
		Path{sp("d", "etc"), 1 << 20, 2 << 20},
		Path{sp("e", "old-tool-1.0"), 5 << 20, 5 << 20})
	after := mk("generation 7, running",
		Path{sp("f", "nixos-system-p620-25.11"), 1 << 10, 3<<30 + 200<<20},
		Path{sp("g", "linux-6.12.41"), 160 << 20, 160 << 20},
		Path{sp("c", "firefox-140.0"), 250 << 20, 400 << 20},
		Path{sp("h", "etc"), 2 << 20, 3 << 20},
		Path{sp("i", "ollama-0.12.3"), 190 << 20, 300 << 20})
	a := analyze("p620", after, &before, 3)
	var b bytes.Buffer
	if err := Write(&b, a, 3); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, filepath.Join("testdata", "analyze.golden"), b.Bytes())
	none := analyze("razer", after, nil, 2)
	b.Reset()
	Write(&b, none, 2)
	if !strings.HasSuffix(b.String(), "no generation before it to compare with\n") || len(none.Largest) != 2 {
		t.Errorf("without a base:\n%s", b.String())
	}
}

// On the local fleet: a host deployed twice, the second time with another kernel. Its running
// generation is read over ssh, compared with the one before, and the kernel's growth shows;
// -next's path reads a system built locally against the running one.
func TestOnTheLocalFleet(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620"}})
	inv := fleettest.Inventory(t, lf)
	ctx := context.Background()
	if _, err := lf.Stage("p620", func(v *localfleet.Variant) { v.Kernel = "6.12.99" }); err != nil {
		t.Fatal(err)
	}
	e := &command.Executor{}
	defer e.Close()
	var out bytes.Buffer
	res, err := deploy.Run(ctx, inv, e, inv.Hosts, deploy.Options{KeepGoing: true, Out: &out, Progress: parallel.ProgressPlain,
		ConfirmTimeout: 5 * time.Second, ProbeTimeout: 10 * time.Second, HealthPause: 200 * time.Millisecond,
		Nix: nix.Local(), TextfileDir: "/run/hub-textfile"})
	if err != nil || res.Failed() > 0 {
		t.Fatalf("deploy: %v\n%s", err, out.String())
	}
	h, _ := inv.Host("p620")
	remote := e.SSH(h.Name, h.SSH)
	a, err := Current(ctx, remote, 5)
	if err != nil {
		t.Fatal(err)
	}
	if a.Base == nil || !strings.HasSuffix(a.System.Label, ", running") || a.Count == 0 || len(a.Largest) != min(5, a.Count) || a.System.Size <= 0 {
		t.Fatalf("analysis %+v", a)
	}
	i := slices.IndexFunc(a.Grew, func(g Growth) bool { return g.Name == "linux" })
	if i < 0 || !slices.Contains(a.Grew[i].To, "6.12.99") || slices.Contains(a.Grew[i].From, "6.12.99") {
		t.Errorf("the kernel change is not among the changes: %+v", a.Grew)
	}
	var b bytes.Buffer
	if err := Write(&b, a, 5); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", b.String())

	if _, err := lf.Stage("p620", func(v *localfleet.Variant) { v.Kernel = "6.13.0" }); err != nil {
		t.Fatal(err)
	}
	built, err := BuildNext(ctx, e.Local(), inv.Flake, "p620", nix.Local())
	if err != nil {
		t.Fatal(err)
	}
	n, err := Next(ctx, e.Local(), remote, built, 5)
	if err != nil {
		t.Fatal(err)
	}
	i = slices.IndexFunc(n.Grew, func(g Growth) bool { return g.Name == "linux" })
	if n.Base == nil || n.Base.Label != "running" || i < 0 || !slices.Contains(n.Grew[i].From, "6.12.99") || !slices.Contains(n.Grew[i].To, "6.13.0") {
		t.Errorf("next against running: %+v", n)
	}
}

// The real-host command line, as HUB_DRY_RUN prints it: a host reached with sudo gets nix with
// the real fleet's flag only, never the local fleet's settings (sandbox, build users).
func TestRealHostCommandLine(t *testing.T) {
	var out bytes.Buffer
	e := &command.Executor{DryRun: true, Out: &out}
	defer e.Close()
	remote := e.SSH("p620", inventory.SSH{Destination: "p620.example", User: "admin", Sudo: true})
	if _, err := read(context.Background(), remote, "/nix/store/"+strings.Repeat("a", 32)+"-nixos-system-p620-25.11", "running"); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.Contains(got, "exec sudo -n -- nix --extra-experimental-features '\\''nix-command flakes'\\'' path-info --recursive --size --closure-size --json /nix/store/") ||
		strings.Contains(got, "sandbox") || !strings.Contains(got, "admin@p620.example") {
		t.Errorf("dry run printed:\n%s", got)
	}
}
