package runenv

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/parallel"
)

// The environment switches as the targets read them: one place decides the fleet, its nix
// settings and the dry run, so HUB_FLEET=local cannot give the real fleet the local fleet's
// offline settings nor the other way round.
func TestRead(t *testing.T) {
	var stderr bytes.Buffer
	for _, tc := range []struct {
		name      string
		env       map[string]string
		opts      Options
		inventory string
		local     bool
		repo      bool
		nixKind   string
		dry, echo bool
	}{
		{name: "default: the repository's hosts", inventory: "hosts", repo: true, nixKind: "real"},
		{name: "the local fleet", env: map[string]string{fleet: "local"}, inventory: localInventory(), local: true, nixKind: "local"},
		{name: "another inventory is a real fleet", env: map[string]string{fleet: "/srv/fleet/hosts"}, inventory: "/srv/fleet/hosts", nixKind: "real"},
		{name: "HUB_DRY_RUN", env: map[string]string{dryRun: "1"}, inventory: "hosts", repo: true, nixKind: "real", dry: true},
		{name: "-dry", opts: Options{DryRun: true}, inventory: "hosts", repo: true, nixKind: "real", dry: true},
		{name: "HUB_DRY_RUN=0 and no -dry", env: map[string]string{dryRun: "0"}, inventory: "hosts", repo: true, nixKind: "real"},
		{name: "HUB_VERBOSE echoes on stderr", env: map[string]string{verbose: "true"}, inventory: "hosts", repo: true, nixKind: "real", echo: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Stderr = &stderr
			e := Read(func(k string) string { return tc.env[k] }, tc.opts)
			if e.Inventory != tc.inventory || e.LocalFleet != tc.local || e.RepoHosts != tc.repo || e.Nix.Kind != tc.nixKind || e.DryRun != tc.dry || (e.Echo != nil) != tc.echo {
				t.Errorf("Read = %+v", e)
			}
			x := e.Executor()
			if x.DryRun != tc.dry || (x.Echo != nil) != tc.echo || x.Sudo == nil {
				t.Errorf("Executor = %+v", x)
			}
			if got, want := e.LocalNix(x).Settings.Args(), map[string][]string{"real": nix.Real().Args(), "local": nix.Local().Args()}[tc.nixKind]; strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("LocalNix settings %q, want %q", got, want)
			}
		})
	}
}

// LoadFleet names the file and says what to run; Select and Host resolve on the loaded fleet.
func TestLoadFleet(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(dir+"/web1", 0o755)
	os.WriteFile(dir+"/web1/host.toml", []byte("name = \"web1\"\nnot toml\n"), 0o644)
	_, err := Env{Inventory: dir}.LoadFleet()
	if err == nil || !strings.Contains(err.Error(), "host.toml") || !strings.Contains(err.Error(), "go tool mage hosts:check") {
		t.Errorf("broken host.toml: %v", err)
	}
	if _, _, err := (Env{Inventory: "../../hosts"}).Select("nosuch"); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("Select nosuch: %v", err)
	}
	f, h, err := Env{Inventory: "../../hosts"}.Host("p620")
	if err != nil || h.Name != "p620" || f.Dir == "" {
		t.Errorf("Host p620: %v %v", h, err)
	}
}

func report(hosts ...parallel.HostResult) *parallel.Report {
	return &parallel.Report{Name: "hosts-ping", RunDir: ".hub/runs/hosts-ping-1", Started: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), Duration: time.Second, Hosts: hosts}
}

// Report: the table or the JSON document on stdout, and failed hosts turned into one error that
// names them and their logs.
func TestReport(t *testing.T) {
	ok := parallel.HostResult{Host: "p620", Status: parallel.StatusOK}
	failed := parallel.HostResult{Host: "razer", Status: parallel.StatusFailed, Err: errors.New("ssh: connection refused")}
	for _, tc := range []struct {
		name    string
		json    bool
		rep     *parallel.Report
		runErr  error
		wantErr string
	}{
		{name: "text, all ok", rep: report(ok)},
		{name: "json, one failed", json: true, rep: report(ok, failed), wantErr: "1 of 2 hosts failed (razer): see the table above; logs in .hub/runs/hosts-ping-1"},
		{name: "text, the run's own error wins", rep: report(failed), runErr: errors.New("interrupted"), wantErr: "interrupted"},
		{name: "no report: the run could not start", runErr: errors.New("no such host"), wantErr: "no such host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			o := Output{JSON: tc.json, Stdout: &out, Stderr: os.Stderr}
			err := o.Report(tc.rep, tc.runErr)
			if (err == nil) != (tc.wantErr == "") || err != nil && err.Error() != tc.wantErr {
				t.Errorf("Report error %v, want %q", err, tc.wantErr)
			}
			switch {
			case tc.rep == nil:
				if out.Len() != 0 {
					t.Errorf("no report printed %q", out.String())
				}
			case tc.json:
				var doc struct {
					Failed int `json:"failed"`
				}
				if json.Unmarshal(out.Bytes(), &doc) != nil || doc.Failed != 1 {
					t.Errorf("JSON report:\n%s", out.String())
				}
			default:
				if !strings.HasPrefix(out.String(), "\n") || !strings.Contains(out.String(), tc.rep.Hosts[0].Host) {
					t.Errorf("table:\n%s", out.String())
				}
			}
		})
	}
}

// Progress keeps stdout for the JSON document.
func TestProgress(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if w := (Output{Stdout: &stdout, Stderr: &stderr}).Progress(); w != &stdout {
		t.Error("text: progress is not on stdout")
	}
	if w := (Output{JSON: true, Stdout: &stdout, Stderr: &stderr}).Progress(); w != &stderr {
		t.Error("-json: progress is not on stderr")
	}
	if err := (Output{Stdout: &stdout}).WriteJSON(map[string]int{"a": 1}); err != nil || stdout.String() != "{\n  \"a\": 1\n}\n" {
		t.Errorf("WriteJSON: %q %v", stdout.String(), err)
	}
}
