package rotation

import (
	"bytes"
	"errors"
	"testing"

	"github.com/nixos-hub/hub/internal/goldenfile"
)

// The summary after secrets:rotate: one row per secret, then the failures, what is left to do and
// a manual consumer's instructions; an error unless every secret was rotated.
func TestReport(t *testing.T) {
	results := []*Result{
		{Secret: "restic-password.age", Consumer: "restic", Hosts: []string{"p510", "p620", "dex5550"}, Outcome: incomplete,
			Err: errors.New("restic-password.age: deploy: host dex5550: probe: timeout"),
			LeftToDo: []string{
				"host dex5550: deploy it again once it answers and the error is fixed (it may hold the new value; the repository has the old one again): probe: timeout",
				"host dex5550: repository /mnt/backup/restic: once it is deployed again: restic --repo /mnt/backup/restic --password-file /run/agenix/restic-password key remove 1a2b3c4d (the abandoned new password's key; the old key 9f8e7d6c still opens it; unreachable: probe: timeout)",
			}},
		{Secret: "grafana-admin.age", Consumer: "manual", Hosts: []string{"dex5550"}, Outcome: rotated, Instructions: "on dex5550: grafana cli admin reset-admin-password --password-from-stdin < /run/agenix/grafana-admin"},
		{Secret: "binary-cache-key.age", Consumer: "restart", Hosts: []string{"p620"}, Outcome: rotated},
	}
	var out bytes.Buffer
	err := Report(&out, results)
	if err == nil || err.Error() != "1 of 3 secret(s) not rotated: see above" {
		t.Errorf("err = %v", err)
	}
	goldenfile.Check(t, "testdata/report.txt", out.Bytes())
	out.Reset()
	if err := Report(&out, results[1:]); err != nil {
		t.Errorf("all rotated: %v", err)
	}
}
