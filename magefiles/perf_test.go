package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/baseline"
	"github.com/nixos-hub/hub/internal/exporter"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
)

// perf:report and perf:compare through the compiled magefiles: the -baselines flag reaches the
// probe (the real exporter stack on the fleet's loopback block, a boot regression planted through
// BootWatch), the problem line and the exit status follow, -json carries the regressions, and
// perf:compare takes its generation numbers as arguments. internal/perf's tests cover the rest.
func TestPerfTargets(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"hp"}}, "curl")
	inv := fleettest.Inventory(t, lf)
	hp, _ := inv.Host("hp")
	block := hp.SSH.Destination[:max(strings.LastIndex(hp.SSH.Destination, "."), 0)]
	if !strings.HasPrefix(block, "127.0.") || block == "127.0.0" {
		t.Skipf("the fleet is on fallback addressing (%s)", hp.SSH.Destination)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "internal", "systemdanalyze", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	eng := baseline.NewEngine(baseline.Config{Window: 100, Threshold: 3, MinSamples: 30}, baseline.BootSpecs, baseline.State{})
	state := t.TempDir()
	// Ten ordinary boots, then five slower ones: BootSpecs' history and recent window.
	boots := append(slices.Repeat([]string{read("time-laptop.txt")}, 10), slices.Repeat([]string{read("time-laptop-slow.txt")}, 5)...)
	for i, out := range boots {
		if err := baseline.BootWatch(context.Background(), eng, baseline.Boot{ID: fmt.Sprint(i)}, state,
			func(context.Context) (string, error) { return out, nil }, time.Millisecond, nil); err != nil {
			t.Fatal(err)
		}
	}
	exp, err := exporter.New(exporter.Options{Namespace: "hub_baseline", Program: "hub_baseline_exporter",
		Collectors: map[string]exporter.Collector{"baseline": baseline.NewCollector(eng)}})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", block+".250:9103")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: exp.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	defer srv.Close()
	url := "http://" + block + ".250:9103/metrics"
	bin, root := fleettest.Mage(t)

	out, code := runTarget(t, bin, root, lf, "perf:report", "hp", "-baselines="+url)
	if code == 0 || !strings.Contains(out, "hp\tproblem\tbaseline boot_userspace_seconds regressed: 21.9 against a mean of 9.88 (z ") ||
		!strings.Contains(out, "): systemd-analyze blame") ||
		!strings.Contains(out, "REGRESSED") {
		t.Errorf("perf:report: exit %d, want non-zero, a REGRESSED column and the boot regression line:\n%s", code, out)
	}
	out, code = runTarget(t, bin, root, lf, "perf:report", "hp", "-baselines="+url, "-json")
	var doc struct {
		Hosts []struct {
			Host      string `json:"host"`
			Regressed []struct {
				Metric string `json:"metric"`
			} `json:"regressed"`
		} `json:"hosts"`
	}
	i, j := strings.Index(out, "{"), strings.LastIndex(out, "}")
	if i < 0 || j < i || json.Unmarshal([]byte(out[i:j+1]), &doc) != nil || len(doc.Hosts) != 1 || len(doc.Hosts[0].Regressed) != 2 {
		t.Errorf("perf:report -json (exit %d): %+v\n%s", code, doc, out)
	}

	out, code = runTarget(t, bin, root, lf, "perf:compare", "hp", "1", "1")
	if code != 0 || !strings.Contains(out, "(no package changed)") || !strings.Contains(out, "no boots recorded") {
		t.Errorf("perf:compare hp 1 1: exit %d:\n%s", code, out)
	}
	out, code = runTarget(t, bin, root, lf, "perf:compare", "hp", "1", "7")
	if code == 0 || !strings.Contains(out, "no generation 7") {
		t.Errorf("perf:compare hp 1 7: exit %d, want non-zero naming the missing generation:\n%s", code, out)
	}
}
