package parallel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/durablefile/durabletest"
)

func TestJSONReportShape(t *testing.T) {
	rep := &Report{
		Name:     "hosts-ping",
		Started:  time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600)),
		Duration: 1234567 * time.Microsecond,
		Hosts: []HostResult{
			{Host: "a", Status: StatusOK, Phase: "ping", Duration: 1500 * time.Millisecond},
			{Host: "b", Status: StatusCancelled, Phase: "ping", FailedPhase: "ping", Err: context.Canceled, Fields: map[string]string{"rtt": "3ms"}},
		},
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]any) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	if k := keys(got); !slices.Equal(k, []string{"duration_seconds", "failed", "hosts", "name", "run_dir", "started"}) {
		t.Errorf("report keys = %v", k)
	}
	if got["started"] != "2026-01-02T02:04:05Z" || got["duration_seconds"] != 1.235 || got["failed"] != 1.0 {
		t.Errorf("started, duration_seconds, failed = %v, %v, %v; want UTC time, seconds rounded to ms, 1",
			got["started"], got["duration_seconds"], got["failed"])
	}
	hosts, ok := got["hosts"].([]any)
	if !ok || len(hosts) != 2 {
		t.Fatalf("hosts = %#v, want a list of 2", got["hosts"])
	}
	wantHostKeys := []string{"duration_seconds", "error", "failed_phase", "fields", "host", "phase", "phases", "status"}
	for _, h := range hosts {
		host := h.(map[string]any)
		if k := keys(host); !slices.Equal(k, wantHostKeys) {
			t.Errorf("host keys = %v, want %v", k, wantHostKeys)
		}
		if _, ok := host["fields"].(map[string]any); !ok {
			t.Errorf("host %v: fields = %#v, want an object even when empty", host["host"], host["fields"])
		}
		if _, ok := host["error"].(string); !ok {
			t.Errorf("host %v: error = %#v, want a string even when empty", host["host"], host["error"])
		}
	}
	b := hosts[1].(map[string]any)
	if b["status"] != "cancelled" || b["failed_phase"] != "ping" || b["error"] != "context canceled" || b["fields"].(map[string]any)["rtt"] != "3ms" {
		t.Errorf("cancelled host = %v", b)
	}
}

func TestReportFailedAndErr(t *testing.T) {
	tests := []struct {
		name       string
		hosts      []HostResult
		wantFailed int
		wantErr    string
	}{
		{
			name:  "only non-failing statuses",
			hosts: []HostResult{{Host: "a", Status: StatusOK}, {Host: "b", Status: StatusSkipped, Err: errors.New("no-op")}, {Host: "c", Status: "switched, units failed", Err: errors.New("x")}},
		},
		{
			name: "failures of every kind",
			hosts: []HostResult{
				{Host: "a", Status: StatusFailed, FailedPhase: "copy", Err: errors.New("ssh: exit 255")},
				{Host: "b", Status: StatusCancelled, Err: context.Canceled},
				{Host: "c", Status: StatusNotRun},
				{Host: "d", Status: StatusOK},
			},
			wantFailed: 3,
			wantErr:    "host a: phase copy: ssh: exit 255\nhost b: context canceled\nhost c: not-run",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := &Report{Hosts: tt.hosts}
			if got := rep.Failed(); got != tt.wantFailed {
				t.Errorf("Failed() = %d, want %d", got, tt.wantFailed)
			}
			err := rep.Err()
			if (err == nil) != (tt.wantErr == "") || err != nil && err.Error() != tt.wantErr {
				t.Errorf("Err() = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestSummaryCountsQuoteCustomStatuses(t *testing.T) {
	rep := &Report{Hosts: []HostResult{
		{Status: StatusNotRun}, {Status: "switched, units failed"}, {Status: StatusOK}, {Status: StatusOK}, {Status: StatusFailed},
	}}
	if got, want := rep.counts(), `2 ok, 1 "switched, units failed", 1 failed, 1 not-run`; got != want {
		t.Errorf("counts = %s, want %s", got, want)
	}
	if got := (&Report{}).counts(); got != "no hosts" {
		t.Errorf("empty counts = %s", got)
	}
}

func TestSummaryTableCellsStayOnOneLine(t *testing.T) {
	rep := &Report{Hosts: []HostResult{{Host: "a", Status: StatusOK, Fields: map[string]string{"note": "two\tparts\nlines"}}}}
	var buf bytes.Buffer
	if err := rep.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[1], "two parts lines") {
		t.Errorf("table:\n%s\nwant a header and one row ending in the flattened value", buf.String())
	}
}

// report.json is whole or absent: cut short midway (the disk full after 64 bytes) there is no
// report.json, which deploy:times takes for a run that ended before its report, where one
// written in place would be a JSON prefix that fails to parse.
func TestReportFileWholeOrAbsent(t *testing.T) {
	if durabletest.InChild(t) {
		return // FailWritesPast's limit is the child's alone
	}
	rep := &Report{Name: "deploy-switch", Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Duration: time.Second,
		Hosts: []HostResult{{Host: "p620", Status: StatusOK, Phase: "switch"}, {Host: "p510", Status: StatusFailed, Phase: "build", Err: errors.New("nix build: exit status 1")}}}
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	var err error
	durabletest.FailWritesPast(t, 64, func() { err = writeReportFile(rep, path) })
	if err == nil || !strings.Contains(err.Error(), "report.json") {
		t.Fatalf("writeReportFile cut short: %v", err)
	}
	if _, statErr := os.Stat(path); !errors.Is(statErr, os.ErrNotExist) {
		t.Errorf("report.json after a write cut short: %v, want none", statErr)
	}
	durabletest.NoTempFiles(t, dir)

	if err := writeReportFile(rep, path); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := rep.WriteJSON(&want); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, want.Bytes()) {
		t.Errorf("report.json:\n%s\nwant\n%s", b, want.Bytes())
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("report.json mode %v, want 0644", st.Mode().Perm())
	}
	durabletest.NoTempFiles(t, dir)
}
