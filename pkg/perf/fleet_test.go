package perf_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/pkg/baseline"
	"github.com/nixos-hub/hub/pkg/command"
	"github.com/nixos-hub/hub/pkg/exporter"
	"github.com/nixos-hub/hub/pkg/localfleet"
	"github.com/nixos-hub/hub/pkg/localfleet/fleettest"
	"github.com/nixos-hub/hub/pkg/perf"
)

// serveBaselines runs the real hub-baseline-exporter stack (engine, collector, pkg/exporter's
// handler) on addr:9103, its boot baselines fed through BootWatch by the recorded
// systemd-analyze outputs in boots, one boot each, the last the regression.
func serveBaselines(t *testing.T, addr string, boots []string) {
	t.Helper()
	e := baseline.NewEngine(baseline.Config{Window: 100, Threshold: 3, MinSamples: 30}, baseline.BootSpecs, baseline.State{})
	dir := t.TempDir()
	for i, out := range boots {
		err := baseline.BootWatch(context.Background(), e, fmt.Sprintf("boot-%d", i), filepath.Join(dir, "boot-observed"),
			func(context.Context) (string, error) { return out, nil }, time.Millisecond, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
	exp, err := exporter.New(exporter.Options{Namespace: "hub_baseline", Program: "hub_baseline_exporter",
		Collectors: map[string]exporter.Collector{"baseline": baseline.NewCollector(e)}})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "9103"))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: exp.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
}

func recorded(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A systemd host answers with its real systemd-analyze; a lightweight host (no systemd) still
// reports PSI and swap, and reads the baselines of an exporter whose boot baselines saw five
// ordinary boots and then one 12 s slower in userspace: the planted regression must come back
// as a problem line.
func TestReportOnLocalFleet(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620", "hp"}, SystemdHosts: []string{"p620"}}, "curl")
	inv := fleettest.Inventory(t, lf)
	hp, _ := inv.Host("hp")
	p620, _ := inv.Host("p620")
	block := hp.SSH.Destination[:max(strings.LastIndex(hp.SSH.Destination, "."), 0)]
	if !strings.HasPrefix(block, "127.0.") || block == "127.0.0" {
		t.Skipf("the fleet is on fallback addressing (%s): no loopback block for the exporter", hp.SSH.Destination)
	}
	normal, slow := recorded(t, "analyze/time-laptop.txt"), recorded(t, "analyze/time-laptop-slow.txt")
	serveBaselines(t, block+".250", []string{normal, normal, normal, normal, normal, slow})
	url := "http://" + block + ".250:9103/metrics"

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
