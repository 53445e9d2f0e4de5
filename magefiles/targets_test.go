package main

// Tests of targets through a real `go tool mage` process (the compiled magefiles, as a user runs
// them) against a local fleet: what the target adds to the packages it calls (arguments, the
// fan-out, the summary, the exit status). This file has no mage build tag, so mage itself never
// compiles it.

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/pkg/localfleet"
	"github.com/nixos-hub/hub/pkg/localfleet/fleettest"
)

// runTarget runs the compiled mage binary with args on the local fleet lf and returns its
// combined output and exit status.
func runTarget(t *testing.T, bin, root string, lf *localfleet.Fleet, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "HUB_FLEET=local", localfleet.EnvDir+"="+lf.Dir())
	out, err := cmd.CombinedOutput()
	var xe *exec.ExitError
	if err != nil && !errors.As(err, &xe) {
		t.Fatalf("%s: %v", args, err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

func TestHostsExecAndStatusTargets(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620", "razer"}})
	bin, root := fleettest.Mage(t)

	out, code := runTarget(t, bin, root, lf, "hosts:exec", "*", "echo out-$((40+2)); echo err-line >&2")
	if code != 0 {
		t.Fatalf("hosts:exec exit %d:\n%s", code, out)
	}
	for _, h := range []string{"p620", "razer"} {
		for _, line := range []string{"out-42", "err-line"} {
			if !containsLine(out, h, line) {
				t.Errorf("hosts:exec output has no %q line for %s:\n%s", line, h, out)
			}
		}
	}

	out, code = runTarget(t, bin, root, lf, "hosts:exec", "razer", "exit 3", "-json")
	if code == 0 {
		t.Fatalf("a failing command exited 0:\n%s", out)
	}
	var rep struct {
		Hosts []struct {
			Host   string            `json:"host"`
			Status string            `json:"status"`
			Fields map[string]string `json:"fields"`
		} `json:"hosts"`
	}
	if i, j := strings.Index(out, "{"), strings.LastIndex(out, "}"); i < 0 || j < i {
		t.Fatalf("hosts:exec -json printed no JSON:\n%s", out)
	} else if err := json.Unmarshal([]byte(out[i:j+1]), &rep); err != nil {
		t.Fatalf("hosts:exec -json: %v\n%s", err, out)
	}
	if len(rep.Hosts) != 1 || rep.Hosts[0].Status != "failed" || rep.Hosts[0].Fields["exit"] != "3" {
		t.Errorf("hosts:exec -json razer 'exit 3' = %+v", rep.Hosts)
	}

	out, code = runTarget(t, bin, root, lf, "hosts:status", "*")
	if code != 0 {
		t.Fatalf("hosts:status exit %d:\n%s", code, out)
	}
	for _, col := range []string{"UPTIME", "MEMORY", "STORE", "GENERATION", "FAILED-UNITS"} {
		if !strings.Contains(strings.ToUpper(out), col) {
			t.Errorf("hosts:status summary lacks a %s column:\n%s", col, out)
		}
	}
	t.Logf("hosts:status:\n%s", out)
	if !strings.Contains(out, "1 of 1") || !strings.Contains(out, "no systemd") {
		t.Errorf("hosts:status does not show the hosts' generation and units:\n%s", out)
	}
}

// containsLine reports whether out has a line naming host that ends with text.
func containsLine(out, host, text string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, host) && strings.HasSuffix(strings.TrimSpace(l), text) {
			return true
		}
	}
	return false
}
