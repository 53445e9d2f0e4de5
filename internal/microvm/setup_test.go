package microvm

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/parallel"
)

// New picks the driver, the keys and the known_hosts file from where the guests are.
func TestNew(t *testing.T) {
	f := testFleet(t)
	gs, err := Select(f, "*")
	if err != nil {
		t.Fatal(err)
	}
	withKey := t.TempDir()
	os.WriteFile(filepath.Join(withKey, "id_ed25519.pub"), []byte("ssh-ed25519 AAAAfleet hub@local\n"), 0o644)
	withUsers := append([]Guest{}, gs...)
	h := *withUsers[0].Host
	h.Users.AuthorizedKeys = []string{"ssh-ed25519 AAAAuser u@x", "ssh-ed25519 AAAAuser u@x"}
	withUsers[0].Host = &h
	for _, tc := range []struct {
		name       string
		localFleet string
		guests     []Guest
		driver     Driver
		keys       []string
		knownHosts string
		err        string
	}{
		{name: "nixos hosts", guests: gs, driver: Systemd, knownHosts: ".hub/microvm/known_hosts"},
		{name: "local fleet", localFleet: withKey, guests: gs, driver: QEMU, keys: []string{"ssh-ed25519 AAAAfleet hub@local"}, knownHosts: filepath.Join(withKey, "microvm_known_hosts")},
		{name: "local fleet and [users] keys, once each", localFleet: withKey, guests: withUsers, driver: QEMU,
			keys: []string{"ssh-ed25519 AAAAfleet hub@local", "ssh-ed25519 AAAAuser u@x"}, knownHosts: filepath.Join(withKey, "microvm_known_hosts")},
		{name: "local fleet without any key", localFleet: t.TempDir(), guests: gs, err: "go tool mage fleet:up"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := New(Config{Exec: &command.Executor{}, LocalFleet: tc.localFleet}, tc.guests)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("New = %v, want an error with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Driver != tc.driver || !slices.Equal(m.Keys, tc.keys) || m.KnownHosts != tc.knownHosts {
				t.Errorf("New = driver %s, keys %q, known hosts %s; want %s, %q, %s", m.Driver, m.Keys, m.KnownHosts, tc.driver, tc.keys, tc.knownHosts)
			}
		})
	}
}

// Each runs one task per guest, named HOST/VM, and a failing guest does not stop the others;
// guests started side by side all get their host keys recorded.
func TestEachAndRecordStart(t *testing.T) {
	gs, err := Select(testFleet(t), "*")
	if err != nil {
		t.Fatal(err)
	}
	m := &Manager{KnownHosts: filepath.Join(t.TempDir(), "known_hosts")}
	rep, err := m.Each(context.Background(), gs, parallel.Options{Name: "test", Out: io.Discard}, func(ctx context.Context, t *parallel.Task, g Guest) error {
		if g.ID() == "p620/test-vm" {
			return errors.New("broken")
		}
		return m.RecordStart(g, Status{HostKey: "ssh-ed25519 AAAA" + strings.ReplaceAll(g.ID(), "/", "")})
	})
	if err != nil {
		t.Fatal(err)
	}
	var hosts []string
	failed := 0
	for _, r := range rep.Hosts {
		hosts = append(hosts, r.Host)
		if r.Status == parallel.StatusFailed {
			failed++
		}
	}
	slices.Sort(hosts)
	if strings.Join(hosts, " ") != "p620/dev-vm p620/test-vm razer/dev-vm" || failed != 1 {
		t.Errorf("tasks %v, %d failed", hosts, failed)
	}
	b, _ := os.ReadFile(m.KnownHosts)
	if got := string(b); !strings.Contains(got, "[p620.lan]:2222 ssh-ed25519 AAAAp620dev-vm\n") || !strings.Contains(got, "razerdev-vm") || strings.Contains(got, "test-vm") {
		t.Errorf("known_hosts:\n%s", got)
	}
}
