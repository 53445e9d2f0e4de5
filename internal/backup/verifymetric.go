package backup

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// VerifyMetric is the textfile-collector content recording the outcome of a verification:
// hub_backup_verify_success (1 passed, 0 failed) and when it ran, which the BackupVerifyFailed
// alert reads.
func VerifyMetric(set string, at time.Time, passed bool) string {
	ok := 0
	if passed {
		ok = 1
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# HELP hub_backup_verify_success Whether the last backup:verify of the set passed (1) or failed (0).\n")
	fmt.Fprintf(&b, "# TYPE hub_backup_verify_success gauge\n")
	fmt.Fprintf(&b, "hub_backup_verify_success{set=%q} %d\n", set, ok)
	fmt.Fprintf(&b, "# HELP hub_backup_verify_last_run_timestamp_seconds Unix time of the last backup:verify of the set.\n")
	fmt.Fprintf(&b, "# TYPE hub_backup_verify_last_run_timestamp_seconds gauge\n")
	fmt.Fprintf(&b, "hub_backup_verify_last_run_timestamp_seconds{set=%q} %d\n", set, at.Unix())
	return b.String()
}

// RecordVerify writes the outcome of a Verify, verifyErr, on the host as hub_backup_verify_<set>.prom
// in dir (node_exporter's textfile directory; "": defaultTextfileDir, "-": nothing). A cancelled
// verification proved nothing either way and is not recorded, so the last real outcome stands.
func (j Job) RecordVerify(ctx context.Context, dir string, at time.Time, verifyErr error) error {
	if dir == "-" || ctx.Err() != nil {
		return nil
	}
	if dir == "" {
		dir = defaultTextfileDir
	}
	return j.writeTextfile(ctx, dir, "hub_backup_verify_"+j.Set.Name+".prom", VerifyMetric(j.Set.Name, at, verifyErr == nil))
}
