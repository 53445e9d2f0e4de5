package secrets

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/parallel"
)

// TestLocalFleetStatusAndHostKeys runs the jobs of secrets:status and secrets:hostKeys in a real
// fleet run against a host of the local fleet: its own /run/agenix (what agenix would have
// decrypted), its own sshd host key; the columns and lines each reports, and that drift fails
// the host. secrets:fix's job reports as secrets:status's does.
func TestLocalFleetStatusAndHostKeys(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p510"}}, "ssh-keyscan")
	inv := fleettest.Inventory(t, lf)
	h, _ := inv.Host("p510")
	lh, _ := lf.Host("p510")
	e := &command.Executor{}
	defer e.Close()
	agenix := filepath.Join(lh.Dir, "run", "agenix")
	os.MkdirAll(agenix, 0o751)
	os.WriteFile(filepath.Join(agenix, "restic-password"), []byte("x"), 0o400)
	pub, err := os.ReadFile(filepath.Join(lh.Dir, "ssh_host_ed25519_key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	hostKey := strings.Join(strings.Fields(string(pub))[:2], " ")
	rules := func(key string) *Rules {
		evaluated, _ := json.Marshal(map[string]any{"a.age": map[string]any{"publicKeys": []string{key}}})
		r, err := parseRules("/s/secrets.nix", evaluated, []byte("let\n  p510 = \""+key+"\";\nin { \"a.age\".publicKeys = [ p510 ]; }\n"))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	stale := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2e4lM7hZr0Ex6vJkQ4rq2k0h6y9gkqYc4x0d5vQYgZ"
	for _, tc := range []struct {
		name   string
		job    func(context.Context, *parallel.Task) error
		status parallel.Status
		fields map[string]string
		out    []string
	}{
		{name: "status", job: func(ctx context.Context, t *parallel.Task) error { return StatusJob(ctx, t, h, e) },
			status: parallel.StatusOK, fields: map[string]string{"agenix": "no systemd", "secrets": "1"},
			out: []string{"agenix unit: no systemd", "restic-password  400   root   root"}},
		{name: "host key matches", job: func(ctx context.Context, t *parallel.Task) error {
			return HostKeysJob(ctx, t, e.Local(), rules(hostKey), h)
		},
			status: parallel.StatusOK, fields: map[string]string{"host key": "matches secrets.nix"}},
		{name: "host key drifts", job: func(ctx context.Context, t *parallel.Task) error {
			return HostKeysJob(ctx, t, e.Local(), rules(stale), h)
		},
			status: parallel.StatusFailed, fields: map[string]string{"host key": "drift"},
			out: []string{"which the host does not present", "host presents", hostKey, "host key drifts from secrets.nix (2 findings)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			rep, err := parallel.Run(ctx, []string{"p510"}, tc.job, parallel.Options{Name: "secrets-" + tc.name, Out: &out, KeepGoing: true})
			if err != nil {
				t.Fatal(err)
			}
			var table bytes.Buffer
			rep.WriteTable(&table)
			got := out.String() + table.String()
			r := rep.Hosts[0]
			if r.Status != tc.status {
				t.Errorf("status %s, want %s (%v):\n%s", r.Status, tc.status, r.Err, got)
			}
			for k, v := range tc.fields {
				if r.Fields[k] != v {
					t.Errorf("column %q = %q, want %q", k, r.Fields[k], v)
				}
			}
			for _, want := range tc.out {
				if !strings.Contains(got, want) {
					t.Errorf("output lacks %q:\n%s", want, got)
				}
			}
		})
	}
}
