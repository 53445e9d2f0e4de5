package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/baseline/baselinetest"
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
	block := fleettest.LoopbackBlock(t, hp)
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "internal", "systemdanalyze", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// Ten ordinary boots, then five slower ones: BootSpecs' history and recent window.
	boots := append(slices.Repeat([]string{read("time-laptop.txt")}, 10), slices.Repeat([]string{read("time-laptop-slow.txt")}, 5)...)
	url := baselinetest.Serve(t, block+".250", boots)
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
