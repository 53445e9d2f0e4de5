package perf_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/baseline"
	"github.com/nixos-hub/hub/internal/baseline/baselinetest"
	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/perf"
)

func recorded(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A systemd host answers with its real systemd-analyze; a lightweight host (no systemd) still
// reports PSI and swap, and reads the baselines of an exporter whose boot baselines saw ten
// ordinary boots and then five 12 s slower in userspace: the planted regression must come back
// as a problem line.
func TestReportOnLocalFleet(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620", "hp"}, SystemdHosts: []string{"p620"}}, "curl")
	inv := fleettest.Inventory(t, lf)
	hp, _ := inv.Host("hp")
	p620, _ := inv.Host("p620")
	block := fleettest.LoopbackBlock(t, hp)
	normal, slow := recorded(t, "../../systemdanalyze/testdata/time-laptop.txt"), recorded(t, "../../systemdanalyze/testdata/time-laptop-slow.txt")
	boots := slices.Repeat([]string{normal}, 10)
	url := baselinetest.Serve(t, block+".250", append(boots, slices.Repeat([]string{slow}, 5)...))

	e := &command.Executor{}
	defer e.Close()
	ctx := context.Background()
	opts := perf.Options{BaselinesURL: url, Timeout: 30 * time.Second}

	r, err := perf.Read(ctx, e.SSH("hp", hp.SSH), "hp", opts)
	if err != nil {
		t.Fatal(err)
	}
	if r.Boot != nil || len(r.Slowest) != 0 {
		t.Errorf("hp has no systemd, yet boot %+v, slowest %v", r.Boot, r.Slowest)
	}
	if _, ok := r.Pressure["memory"]; !ok {
		if _, err := os.Stat("/proc/pressure/memory"); err == nil {
			t.Errorf("hp: no memory pressure read, though this kernel has PSI")
		}
	}
	if len(r.Regressed) != 2 || r.Regressed[0].Metric != "boot_total_seconds" || r.Regressed[1].Metric != "boot_userspace_seconds" {
		t.Fatalf("hp: regressed %+v (%s), want boot_total_seconds and boot_userspace_seconds", r.Regressed, r.BaselinesError)
	}
	found := false
	for _, p := range r.Problems {
		if strings.HasPrefix(p.What, "baseline boot_userspace_seconds regressed") && strings.Contains(p.Fix, "systemd-analyze blame") {
			found = true
		}
	}
	if !found {
		t.Errorf("hp: no problem line for the boot regression: %v", r.Problems)
	}

	r, err = perf.Read(ctx, e.SSH("p620", p620.SSH), "p620", opts)
	if err != nil {
		t.Fatal(err)
	}
	if r.Boot == nil || r.Boot.Phases["userspace"] <= 0 || r.Boot.Target == "" {
		t.Fatalf("p620 (systemd): boot %+v (%s)", r.Boot, r.BootError)
	}
	if len(r.Slowest) == 0 || !strings.Contains(r.Slowest[0].Name, ".") || r.Slowest[0].Took <= 0 {
		t.Errorf("p620: slowest units %+v", r.Slowest)
	}
	t.Logf("p620: boot %+v, slowest %+v, problems %v", r.Boot, r.Slowest, r.Problems)
}

// Two generations of a local host: the second with another kernel, deployed with nix copy and
// switch-to-configuration boot as the hub does. Boot records made by the real BootWatch (three
// boots of the first generation, two slower ones of the second) sit in the host's own /run.
// perf:compare's medians must follow the generations and the closure difference must be nix's.
func TestCompareOnLocalFleet(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"hp"}})
	inv := fleettest.Inventory(t, lf)
	hp, _ := inv.Host("hp")
	e := &command.Executor{}
	defer e.Close()
	ctx := context.Background()
	run := func(sh string) string {
		t.Helper()
		res, err := e.SSH("hp", hp.SSH).Run(ctx, command.Cmd{Args: []string{"sh", "-c", sh}, Timeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(res.Stdout))
	}
	gen1 := run("readlink -f /nix/var/nix/profiles/system-1-link")
	if _, err := lf.Stage("hp", func(v *localfleet.Variant) { v.Kernel = "6.6.1" }); err != nil {
		t.Fatal(err)
	}
	paths, err := lf.Build(ctx, "hp")
	if err != nil {
		t.Fatal(err)
	}
	gen2 := paths["hp"]
	uri, _ := lf.StoreURI("hp")
	opts, _ := lf.NixSSHOpts("hp")
	copyArgs := append(append([]string{"nix", "copy"}, nix.Local().Args()...), "--no-check-sigs", "--to", uri, gen2)
	if _, err := e.Local().Run(ctx, command.Cmd{Args: copyArgs, Env: []string{"NIX_SSHOPTS=" + opts}, Timeout: time.Minute}); err != nil {
		t.Fatal(err)
	}
	run("nix-env -p /nix/var/nix/profiles/system --set " + gen2 + " && " + gen2 + "/bin/switch-to-configuration boot")

	state := t.TempDir()
	eng := baseline.NewEngine(baseline.Config{Window: 100, Threshold: 3, MinSamples: 30}, baseline.BootSpecs, baseline.State{})
	normal, slow := recorded(t, "../../systemdanalyze/testdata/time-laptop.txt"), recorded(t, "../../systemdanalyze/testdata/time-laptop-slow.txt")
	for i, b := range []struct{ system, out string }{{gen1, normal}, {gen1, normal}, {gen1, normal}, {gen2, slow}, {gen2, slow}} {
		if err := baseline.BootWatch(ctx, eng, baseline.Boot{ID: fmt.Sprint(i), System: b.system}, state,
			func(context.Context) (string, error) { return b.out, nil }, time.Millisecond, nil); err != nil {
			t.Fatal(err)
		}
	}
	host, err := lf.Host("hp")
	if err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile(baseline.BootsLog(state))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(host.RunDir(), "boots.jsonl"), log, 0o644); err != nil {
		t.Fatal(err)
	}

	c, err := perf.Compare(ctx, e.SSH("hp", hp.SSH), "hp", 1, 2, "/run/boots.jsonl", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if c.A.System != gen1 || c.B.System != gen2 || c.A.Boots != 3 || c.B.Boots != 2 {
		t.Fatalf("generations %+v / %+v", c.A, c.B)
	}
	if c.A.Median["userspace"] != 9.884 || c.B.Median["userspace"] != 21.917 || c.B.Median["total"] != 34.86 {
		t.Errorf("medians: %v / %v", c.A.Median, c.B.Median)
	}
	var buf strings.Builder
	if err := perf.WriteComparison(&buf, c); err != nil {
		t.Fatal(err)
	}
	// The closure difference is nix's own (diff-closures), the kernel change among it.
	goldenfile.Check(t, "testdata/golden/compare.txt", []byte(buf.String()))
}
