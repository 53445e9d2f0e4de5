package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
)

// iso:buildAll, deploy:analyze, hosts:checkHardware, hosts:diff and test:deprecated through the compiled magefiles on a local fleet: the demo
// installers of every host built two at once with the summary table, and a host's closure read
// over ssh. internal/installer and internal/closure test the builds and the analysis themselves.
func TestIsoBuildAllAndAnalyzeTargets(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620", "dex5550"}})
	bin, root := fleettest.Mage(t)
	// The GC roots land in the checkout's .hub/installers: drop the ones this test made.
	for _, h := range []string{"p620", "dex5550"} {
		link := filepath.Join(root, ".hub", "installers", h)
		if _, err := os.Lstat(link); err != nil {
			t.Cleanup(func() { os.Remove(link) })
		}
	}
	out, code := runTarget(t, bin, root, lf, "iso:buildAll", "*", "-flake=nix/installer-demo", "-limit=2")
	if code != 0 {
		t.Fatalf("iso:buildAll exit %d:\n%s", code, out)
	}
	for _, h := range []string{"p620", "dex5550"} {
		row := false
		for _, l := range strings.Split(out, "\n") {
			f := strings.Fields(l)
			row = row || len(f) > 5 && f[0] == h && f[1] == "ok" && strings.Contains(l, "/iso/hub-installer-"+h+"-") && strings.Contains(l, " MB")
		}
		if !row {
			t.Errorf("iso:buildAll: no summary row with %s's image:\n%s", h, out)
		}
	}
	out, code = runTarget(t, bin, root, lf, "iso:buildAll", "nosuch", "-flake=nix/installer-demo")
	if code == 0 || !strings.Contains(out, "nosuch") {
		t.Errorf("iso:buildAll nosuch: exit %d, want non-zero naming the selection:\n%s", code, out)
	}

	out, code = runTarget(t, bin, root, lf, "deploy:analyze", "p620", "-top=3")
	if code != 0 || !strings.Contains(out, "(generation 1, running): closure ") || !strings.Contains(out, "no generation before it to compare with") {
		t.Errorf("deploy:analyze p620: exit %d:\n%s", code, out)
	}
	// hosts:checkHardware over ssh: a stand-in nixos-generate-config on p620's PATH prints first
	// the committed file itself, then a recorded real output of another machine.
	lh, err := lf.Host("p620")
	if err != nil {
		t.Fatal(err)
	}
	standIn := filepath.Join(lh.RunDir(), "localfleet", "bin", "nixos-generate-config")
	os.MkdirAll(filepath.Dir(standIn), 0o755)
	for _, tc := range []struct {
		file string
		code int
		want string
	}{
		{filepath.Join(root, "hosts", "p620", "hardware-configuration.nix"), 0, "matches what nixos-generate-config detects"},
		{filepath.Join(root, "internal", "hwconfig", "testdata", "show-hardware-config-amd-nvme.nix"), 1, "3 hardware difference(s)"},
	} {
		if err := os.WriteFile(standIn, []byte("#!/bin/sh\nexec cat "+tc.file+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		out, code = runTarget(t, bin, root, lf, "hosts:checkHardware", "p620")
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("hosts:checkHardware with %s: exit %d, want %d and %q:\n%s", filepath.Base(tc.file), code, tc.code, tc.want, out)
		}
	}

	out, code = runTarget(t, bin, root, lf, "hosts:diff", "p620", "dex5550")
	if code != 0 || !strings.Contains(out, "features (host.toml and the registry):") || !strings.Contains(out, "  networking.hostName\n    p620: \"p620\"\n    dex5550: \"dex5550\"") {
		t.Errorf("hosts:diff on the local fleet: exit %d:\n%s", code, out)
	}

	out, code = runTarget(t, bin, root, lf, "test:deprecated")
	if code != 0 || !containsLine(out, "p620", "0 warning(s)") || !containsLine(out, "dex5550", "0 warning(s)") {
		t.Errorf("test:deprecated on the local fleet: exit %d:\n%s", code, out)
	}

	out, code = runTarget(t, bin, root, lf, "deploy:analyze", "p620", "-json")
	var a struct {
		Host    string `json:"host"`
		Largest []struct {
			Path string `json:"path"`
		} `json:"largest"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &a) != nil || a.Host != "p620" || len(a.Largest) == 0 {
		t.Errorf("deploy:analyze -json: exit %d:\n%s", code, out)
	}
}

// security:scan and test:packages on the repository itself: the scan's JSON lists findings and
// passes at the default threshold (every intended one is in secrets/scan-allow.toml) and fails
// at info (open ports); test:packages and test:deprecated, with no flake.lock, are SKIPPED and
// exit non-zero.
func TestSecurityScanAndPackagesTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the magefiles")
	}
	bin, root := fleettest.Mage(t)
	run := func(args ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = root
		out, _ := cmd.CombinedOutput()
		return string(out), cmd.ProcessState.ExitCode()
	}
	out, code := run("security:scan", "-json")
	var doc struct {
		Findings []struct {
			Rule, Severity string
		} `json:"findings"`
		Failing int `json:"failing"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Findings) == 0 || doc.Failing != 0 {
		t.Errorf("security:scan -json: exit %d:\n%s", code, out)
	}
	if out, code = run("security:scan", "-failOn=info"); code == 0 || !strings.Contains(out, "finding(s) at info or above") {
		t.Errorf("security:scan -failOn=info: exit %d, want non-zero:\n%s", code, out)
	}
	if out, code = run("security:scan", "-failOn=low"); code == 0 || !strings.Contains(out, `-failOn "low": give one of high, warn, info`) {
		t.Errorf("security:scan -failOn=low: exit %d:\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(root, "flake.lock")); err == nil {
		t.Skip("flake.lock exists: test:packages would fetch nixpkgs, and tests send nothing out")
	}
	if out, code = run("test:packages"); code == 0 || !strings.Contains(out, "test:packages SKIPPED, no package was built") {
		t.Errorf("test:packages without a lock: exit %d, want non-zero and SKIPPED:\n%s", code, out)
	}
	if out, code = run("hosts:diff", "p620", "p510"); code != 0 || !strings.Contains(out, "only p510: jellyfin") || !strings.Contains(out, "SKIPPED: ") {
		t.Errorf("hosts:diff without a lock: exit %d, want 0 with the feature level and the options SKIPPED:\n%s", code, out)
	}
	if out, code = run("test:deprecated"); code == 0 || !strings.Contains(out, "test:deprecated SKIPPED, no host was evaluated") {
		t.Errorf("test:deprecated without a lock: exit %d, want non-zero and SKIPPED:\n%s", code, out)
	}
}
