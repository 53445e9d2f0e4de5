package status

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
)

func TestParse(t *testing.T) {
	out := `uptime=200000
load=0.50 0.40 0.30
mem_total_kib=16384000
mem_available_kib=4096000
disk=/ 500000 1000000
disk=/boot 100 1000
generations=7
store_bytes=3221225472
failed=a.service b.service 
`
	s := parse(out)
	s.Systemd, s.Generation = true, 6
	got := map[string]string{}
	for _, f := range s.Fields() {
		got[f[0]] = f[1]
	}
	want := map[string]string{"uptime": "2d", "load": "0.50", "memory": "12 GiB/16 GiB", "disk": "/ 50% /boot 10%",
		"store": "3.0 GiB", "generation": "6 of 7", "last-deploy": "-", "failed-units": "2 (a.service,b.service)", "reboot": "no"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if s := parse(""); s.StoreBytes != -1 || s.Fields()[4][1] != "?" {
		t.Errorf("an unreadable store size must show as unknown, not 0: %+v", s)
	}
}

// TestReadOnTheLocalFleet reads a lightweight host and a systemd host with a failed unit: the
// real script through real ssh, against hosts whose store, generations and units differ.
func TestReadOnTheLocalFleet(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620", "razer"}, SystemdHosts: []string{"p620"}})
	inv := fleettest.Inventory(t, lf)
	ctx := context.Background()
	if out, err := lf.InHost(ctx, "p620", "systemd-run", "--unit=status-test-broken", "-p", "Type=oneshot", "false"); err == nil {
		t.Fatalf("the failing unit succeeded: %s", out)
	}
	e := &command.Executor{}
	defer e.Close()
	for _, tt := range []struct {
		host    string
		systemd bool
		failed  string
	}{{"p620", true, "status-test-broken.service"}, {"razer", false, ""}} {
		h, _ := inv.Host(tt.host)
		s, err := Read(ctx, e.SSH(h.Name, h.SSH), 30*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", tt.host, err)
		}
		if s.Systemd != tt.systemd || strings.Join(s.FailedUnits, ",") != tt.failed {
			t.Errorf("%s: systemd %v, failed units %q; want %v, %q", tt.host, s.Systemd, s.FailedUnits, tt.systemd, tt.failed)
		}
		if s.Uptime <= 0 && tt.systemd || s.MemTotal <= 0 || s.MemAvailable <= 0 || len(s.Disks) == 0 || s.Disks[0].Mount != "/" {
			t.Errorf("%s: %+v", tt.host, s)
		}
		// Each host has a store of its own with at least its system's closure in it.
		if s.StoreBytes <= 0 || s.Generations < 1 || s.Generation < 1 {
			t.Errorf("%s: store %d bytes, generation %d of %d", tt.host, s.StoreBytes, s.Generation, s.Generations)
		}
		t.Logf("%s: %v", tt.host, s.Fields())
	}
}
