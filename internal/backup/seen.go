package backup

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
)

// A snapshot deleted outside the set's retention (a hand-run forget, a file removed from the
// repository) leaves no trace restic reports: check passes and status saw only the newest. So
// status keeps, in the set's state_dir on the host, the snapshots it has seen (ID and time), and
// a seen snapshot that is gone although the set's keep_* policy, applied to what is left plus
// the missing ones, would have kept it is reported missing. One that the policy would have
// forgotten went the way forget (backup:prune, the timer's forget --prune) takes it. Missing
// snapshots stay in the record, so the alarm lasts until backup:status -accept.

func (j Job) seenFile() string { return path.Join(j.Set.StateDir, "snapshots-seen") }

// parseSeen reads the record: one "ID RFC3339-time" per line; lines it cannot read are skipped
// (a damaged record must not turn into an alarm).
func parseSeen(out string) []Snapshot {
	var snaps []Snapshot
	for line := range strings.Lines(out) {
		id, ts, ok := strings.Cut(strings.TrimSpace(line), " ")
		t, err := time.Parse(time.RFC3339Nano, ts)
		if !ok || err != nil || id == "" {
			continue
		}
		snaps = append(snaps, Snapshot{ID: id, ShortID: shortID(id), Time: t})
	}
	return snaps
}

func formatSeen(snaps []Snapshot) string {
	var b strings.Builder
	for _, s := range snaps {
		fmt.Fprintf(&b, "%s %s\n", s.ID, s.Time.Format(time.RFC3339Nano))
	}
	return b.String()
}

func shortID(id string) string { return id[:min(8, len(id))] }

// missingSnapshots are the snapshots of seen that are not in now although the policy would
// keep them among now and the missing ones.
func missingSnapshots(seen, now []Snapshot, keep inventory.Retention) []Snapshot {
	present := map[string]bool{}
	for _, s := range now {
		present[s.ID] = true
	}
	var gone []Snapshot
	for _, s := range seen {
		if !present[s.ID] {
			gone = append(gone, s)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	kept := keptByPolicy(append(slices.Clone(now), gone...), keep)
	var missing []Snapshot
	for _, s := range gone {
		if kept[s.ID] {
			missing = append(missing, s)
		}
	}
	return missing
}

// keptByPolicy is restic's forget policy for the keep-N rules (restic's ApplyPolicy): newest
// first, each rule keeps a snapshot when it opens a new bucket (every snapshot for last, the
// hour, day, ISO week, month, year in the snapshot's own time zone) until its count is used up.
// The snapshots are one group (this host, this set).
func keptByPolicy(snaps []Snapshot, keep inventory.Retention) map[string]bool {
	list := slices.Clone(snaps)
	slices.SortStableFunc(list, func(a, b Snapshot) int { return b.Time.Compare(a.Time) })
	type bucket struct {
		count int
		of    func(t time.Time, nr int) int
		last  int
	}
	buckets := []bucket{
		{keep.Last, func(_ time.Time, nr int) int { return nr }, -1},
		{keep.Hourly, func(t time.Time, _ int) int { return t.Year()*1000000 + int(t.Month())*10000 + t.Day()*100 + t.Hour() }, -1},
		{keep.Daily, func(t time.Time, _ int) int { return t.Year()*10000 + int(t.Month())*100 + t.Day() }, -1},
		{keep.Weekly, func(t time.Time, _ int) int { y, w := t.ISOWeek(); return y*100 + w }, -1},
		{keep.Monthly, func(t time.Time, _ int) int { return t.Year()*100 + int(t.Month()) }, -1},
		{keep.Yearly, func(t time.Time, _ int) int { return t.Year() }, -1},
	}
	kept := map[string]bool{}
	for nr, s := range list {
		for i := range buckets {
			b := &buckets[i]
			if b.count <= 0 {
				continue
			}
			if v := b.of(s.Time, nr); v != b.last {
				kept[s.ID] = true
				b.last = v
				b.count--
			}
		}
	}
	return kept
}

// recordSeen compares the snapshots listed now with the record, reports the missing ones and
// writes the record anew: what is there now plus what is missing (accept drops those).
func (j Job) recordSeen(ctx context.Context, now []Snapshot, accept bool) ([]Snapshot, error) {
	out, err := j.Host.Output(ctx, "sh", "-c", `cat -- "$1" 2>/dev/null || true`, "sh", j.seenFile())
	if err != nil {
		return nil, j.errf("snapshot record", err)
	}
	seen := parseSeen(out)
	var missing []Snapshot
	if !accept {
		missing = missingSnapshots(seen, now, j.Set.Keep)
	}
	record := formatSeen(append(slices.Clone(now), missing...))
	if record == formatSeen(seen) {
		return missing, nil
	}
	script := `umask 077; mkdir -p "$(dirname "$1")" && cat > "$1.tmp" && mv -f -- "$1.tmp" "$1"`
	if _, err := j.Host.Run(ctx, command.Cmd{Args: []string{"sh", "-c", script, "sh", j.seenFile()}, Stdin: strings.NewReader(record)}); err != nil {
		return nil, j.errf("snapshot record", err)
	}
	return missing, nil
}
