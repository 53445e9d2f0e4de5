package backup

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/nixos-hub/hub/internal/inventory"
)

// keptByPolicy must keep exactly what restic forget keeps: it decides whether a gone snapshot
// went by the retention or outside it. Checked against restic 0.14 itself on snapshots spread
// over hours, days, ISO weeks, months and years, with two in one hour and a time zone east of
// UTC (restic buckets by the snapshot's own clock).
func TestKeptByPolicyIsRestics(t *testing.T) {
	if _, err := exec.LookPath("restic"); err != nil {
		t.Skip("needs restic")
	}
	dir := t.TempDir()
	repo, pw, data := filepath.Join(dir, "repo"), filepath.Join(dir, "pw"), filepath.Join(dir, "data")
	os.WriteFile(pw, []byte("pw"), 0o600)
	os.MkdirAll(data, 0o755)
	os.WriteFile(filepath.Join(data, "f"), []byte("x"), 0o644)
	// Errors, not t.Fatal: it runs in goroutines.
	restic := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(t.Context(), "restic", append([]string{"--repo", repo, "--password-file", pw, "--no-cache"}, args...)...)
		cmd.Env = append(os.Environ(), "TZ=Europe/Berlin")
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("restic %v: %w", args, err)
		}
		return out, nil
	}
	if _, err := restic("init"); err != nil {
		t.Fatal(err)
	}
	// In parallel: each restic call spends most of its half second waiting, not computing.
	var g errgroup.Group
	for _, at := range []string{
		"2024-12-30 23:30:00", "2025-01-01 00:10:00", "2025-01-05 12:00:00", "2025-01-06 08:00:00",
		"2025-02-28 23:59:00", "2025-03-01 00:01:00", "2025-03-01 09:00:00", "2025-03-01 09:40:00",
		"2025-03-02 10:00:00", "2025-03-09 10:00:00", "2025-06-15 10:00:00", "2025-12-31 23:00:00",
		"2026-01-01 01:00:00", "2026-01-01 01:30:00",
	} {
		g.Go(func() error {
			_, err := restic("backup", "--quiet", "--host", "h", "--tag", "set:t", "--time", at, data)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	out, err := restic("snapshots", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var snaps []Snapshot
	if err := json.Unmarshal(out, &snaps); err != nil {
		t.Fatal(err)
	}
	for _, keep := range []inventory.Retention{
		{Last: 3}, {Hourly: 4}, {Daily: 5}, {Daily: 10}, {Weekly: 3}, {Weekly: 9}, {Monthly: 4}, {Yearly: 2},
		{Last: 1, Daily: 3, Weekly: 2, Monthly: 3}, {Hourly: 2, Yearly: 5},
	} {
		g.Go(func() error {
			// --no-lock: a dry run changes nothing, and the checks run side by side.
			out, err := restic(append([]string{"--no-lock", "forget", "--dry-run", "--json", "--group-by", "host,tags"}, keep.Args()...)...)
			if err != nil {
				return err
			}
			want, err := forgetKeeps(out)
			if err != nil {
				return err
			}
			var got []string
			for id := range keptByPolicy(snaps, keep) {
				got = append(got, id)
			}
			slices.Sort(got)
			if !reflect.DeepEqual(got, want) {
				return fmt.Errorf("%v: keptByPolicy keeps %d snapshots, restic forget %d:\n got %v\nwant %v", keep.Args(), len(got), len(want), got, want)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Error(err)
	}
}

// forgetKeeps is the sorted IDs restic forget --json keeps.
func forgetKeeps(out []byte) ([]string, error) {
	var groups []struct {
		Keep []struct {
			ID string `json:"id"`
		} `json:"keep"`
	}
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, "[") {
			if err := json.Unmarshal([]byte(line), &groups); err != nil {
				return nil, err
			}
		}
	}
	var ids []string
	for _, g := range groups {
		for _, k := range g.Keep {
			ids = append(ids, k.ID)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// A gone snapshot is missing only when the retention would have kept it; the record round-trips.
func TestMissingSnapshots(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 3, 0, 0, 0, time.UTC) }
	s := func(id string, d int) Snapshot { return Snapshot{ID: id, ShortID: id, Time: day(d)} }
	seen := []Snapshot{s("a", 1), s("b", 2), s("c", 3), s("d", 4)}
	for _, tc := range []struct {
		name string
		now  []Snapshot
		keep inventory.Retention
		want []string
	}{
		{"nothing gone", seen, inventory.Retention{Daily: 7}, nil},
		{"forgotten by keep_last 2", []Snapshot{s("c", 3), s("d", 4), s("e", 5)}, inventory.Retention{Last: 2}, nil},
		{"a kept one deleted", []Snapshot{s("a", 1), s("c", 3), s("d", 4)}, inventory.Retention{Daily: 7}, []string{"b"}},
		{"the newest deleted", []Snapshot{s("a", 1), s("b", 2), s("c", 3)}, inventory.Retention{Last: 1}, []string{"d"}},
		{"all deleted", nil, inventory.Retention{Last: 2}, []string{"c", "d"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, m := range missingSnapshots(seen, tc.now, tc.keep) {
				got = append(got, m.ID)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("missing = %v, want %v", got, tc.want)
			}
		})
	}
	back := parseSeen(formatSeen(seen) + "garbage\n\n")
	for i := range back {
		if back[i].ID != seen[i].ID || !back[i].Time.Equal(seen[i].Time) {
			t.Fatalf("record round trip: %+v, want %+v", back, seen)
		}
	}
}
