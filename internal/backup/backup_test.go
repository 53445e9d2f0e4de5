package backup

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/goldenfile"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
)

// golden compares got with testdata/<name>, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), []byte(got))
}

// recorder is a Reporter that keeps everything, for assertions.
type recorder struct {
	mu     sync.Mutex
	phases []string
	lines  []string
	fields map[string]string
}

func (r *recorder) Phase(name string) { r.mu.Lock(); r.phases = append(r.phases, name); r.mu.Unlock() }
func (r *recorder) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}
func (r *recorder) Set(k, v string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fields == nil {
		r.fields = map[string]string{}
	}
	r.fields[k] = v
}
func (r *recorder) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n") + "\n"
}

// The recorded `restic backup --json` of restic 0.14 becomes progress lines (throttled: the
// clock advances one second per line, the interval is two), error lines and the summary; it is
// fed in odd-sized chunks because ssh delivers output in arbitrary pieces.
func TestProgressParsesResticJSON(t *testing.T) {
	data, err := os.ReadFile("testdata/backup.json")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &progress{r: rec, set: "data", every: 2 * time.Second, now: func() time.Time {
		clock = clock.Add(time.Second)
		return clock
	}}
	for len(data) > 0 {
		n := min(37, len(data))
		p.Write(data[:n])
		data = data[n:]
	}
	p.Close()
	sum, ok := p.summary()
	if !ok {
		t.Fatal("no summary parsed")
	}
	want := Summary{FilesNew: 2, DataAdded: 2109, TotalFiles: 2, TotalBytes: 48902, Duration: 0.417451235, SnapshotID: "6757ed16"}
	if sum != want {
		t.Errorf("summary = %+v, want %+v", sum, want)
	}
	golden(t, "progress.txt", rec.output()+sum.String()+"\n")
}

func TestBackupArgs(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  inventory.BackupSet
		want []string
	}{
		{"plain", inventory.BackupSet{Name: "system", Paths: []string{"/etc", "/var/lib/nixos"}},
			[]string{"backup", "--json", "--host", "p510", "--tag", "set:system", "--", "/etc", "/var/lib/nixos"}},
		{"excludes", inventory.BackupSet{Name: "media", Paths: []string{"/var/lib/plex"}, Exclude: []string{"*.log"}},
			[]string{"backup", "--json", "--host", "p510", "--tag", "set:media", "--exclude", "*.log", "--", "/var/lib/plex"}},
		// The live database and its journals are excluded and the consistent copy is added.
		{"sqlite", inventory.BackupSet{Name: "arr", Paths: []string{"/var/lib/sonarr"}, SQLite: []string{"/var/lib/sonarr/sonarr.db"}, SQLiteDir: "/var/lib/hub-backup/arr/sqlite"},
			[]string{"backup", "--json", "--host", "p510", "--tag", "set:arr",
				"--exclude", "/var/lib/sonarr/sonarr.db", "--exclude", "/var/lib/sonarr/sonarr.db-wal",
				"--exclude", "/var/lib/sonarr/sonarr.db-shm", "--exclude", "/var/lib/sonarr/sonarr.db-journal",
				"--", "/var/lib/sonarr", "/var/lib/hub-backup/arr/sqlite"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := Job{HostName: "p510", Set: tc.set}
			if got := j.backupArgs(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("backupArgs =\n %q\nwant\n %q", got, tc.want)
			}
		})
	}
	j := Job{HostName: "p510", Set: inventory.BackupSet{Repository: "/srv/restic", PasswordFile: "/run/agenix/restic-password"}}
	want := []string{"restic", "--repo", "/srv/restic", "--password-file", "/run/agenix/restic-password", "snapshots"}
	if got := j.restic("snapshots"); !reflect.DeepEqual(got, want) {
		t.Errorf("restic() = %q, want %q", got, want)
	}
}

func TestMetric(t *testing.T) {
	at := time.Date(2026, 3, 1, 2, 30, 0, 0, time.UTC)
	golden(t, "metric.prom", Metric("media", at, Summary{DataAdded: 123456, TotalFiles: 42}))
}

func TestVerifyMetric(t *testing.T) {
	at := time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)
	golden(t, "verify-passed.prom", VerifyMetric("media", at, true))
	golden(t, "verify-failed.prom", VerifyMetric("media", at, false))
}

func TestParseForget(t *testing.T) {
	data, err := os.ReadFile("testdata/forget.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		out     string
		want    PruneResult
		wantErr string
	}{
		{"recorded", string(data), PruneResult{Kept: 1, Removed: 1}, ""},
		{"with text around", "Applying Policy: keep 1 latest snapshots\n" + string(data), PruneResult{Kept: 1, Removed: 1}, ""},
		{"nothing", "", PruneResult{}, "printed no JSON"},
		{"garbage", "[{", PruneResult{}, "parsing restic forget --json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseForget([]byte(tc.out))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("parseForget = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestJudgeSample(t *testing.T) {
	mt := time.Unix(1700000000, 500)
	sample := []lsNode{{Path: "/d/same", Size: 3, MTime: mt}, {Path: "/d/bad", Size: 3, MTime: mt},
		{Path: "/d/gone", Size: 3, MTime: mt}, {Path: "/d/edited", Size: 3, MTime: mt}, {Path: "/d/lost", Size: 3, MTime: mt},
		{Path: "/d/with space", Size: 3, MTime: mt}}
	out := strings.Join([]string{
		"aaa aaa 3 1700000000 /d/same",
		"aaa bbb 3 1700000000 /d/bad",
		"- aaa - - /d/gone",
		"aaa aaa 4 1700000009 /d/edited",
		"aaa - 3 1700000000 /d/lost",
		"ccc ccc 3 1700000000 /d/with space",
	}, "\n") + "\n"
	vr, err := judge("abcd1234", sample, []byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := VerifyResult{Snapshot: "abcd1234", Checked: 2, Changed: []string{"/d/gone", "/d/edited"}, Mismatch: []string{"/d/bad", "/d/lost"}}
	if !reflect.DeepEqual(vr, want) {
		t.Errorf("judge = %+v, want %+v", vr, want)
	}
	if _, err := judge("x", sample, []byte("aaa aaa 3 1700000000 /d/same\n")); err == nil {
		t.Error("judge accepted output missing sampled files")
	}
	if _, err := judge("x", sample[:1], []byte("aaa aaa 3 1700000000 /etc/shadow\n")); err == nil {
		t.Error("judge accepted a path that was not sampled")
	}
}

func TestPickIsDistinctAndBounded(t *testing.T) {
	files := make([]lsNode, 10)
	for i := range files {
		files[i].Path = fmt.Sprint("/f", i)
	}
	for _, n := range []int{1, 5, 10, 50} {
		got := pick(files, n, rand.New(rand.NewPCG(1, 2)))
		seen := map[string]bool{}
		for _, f := range got {
			seen[f.Path] = true
		}
		if len(got) != min(n, 10) || len(seen) != len(got) {
			t.Errorf("pick(%d) = %d files, %d distinct", n, len(got), len(seen))
		}
	}
}

func TestStatusTable(t *testing.T) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	snap := func(id string, ago time.Duration) Snapshot {
		return Snapshot{ID: id + "0000", ShortID: id, Time: now.Add(-ago)}
	}
	rows := []SetStatus{
		judgeSet("p510", "media", 26*time.Hour, []Snapshot{snap("aaaa1111", 50*time.Hour), snap("bbbb2222", 3*time.Hour)}, now),
		judgeSet("p620", "system", 26*time.Hour, []Snapshot{snap("cccc3333", 73*time.Hour)}, now),
		judgeSet("razer", "home", 26*time.Hour, nil, now),
		{Host: "hp", Set: "lab", MaxAge: 26 * time.Hour, Err: errors.New("host hp: set lab: snapshots: wrong repository password\nmore")},
		{Host: "p510", Set: "system", MaxAge: 26 * time.Hour, Err: fmt.Errorf("host p510: set system: mount /mnt/backup: %w", errNotMounted)},
		{Host: "dex5550", Set: "monitoring", MaxAge: 26 * time.Hour, Err: fmt.Errorf("host dex5550: set monitoring: snapshots: %w (held by PID 42 on dex5550)", errLocked)},
		judgeSet("samsung", "system", 26*time.Hour, []Snapshot{snap("dddd4444", -48*time.Hour)}, now),
		func() SetStatus {
			st := judgeSet("razer", "system", 26*time.Hour, []Snapshot{snap("eeee5555", time.Hour)}, now)
			st.Missing = []Snapshot{snap("ffff6666", 25*time.Hour)}
			return st
		}(),
	}
	// Each state has its own exit code; the worst one found is backup:status's.
	for _, tc := range []struct {
		row   int
		state string
		code  int
	}{{0, "ok", 0}, {1, "stale", 2}, {2, "never", 4}, {3, "unreadable", 7}, {4, "no-disk", 6}, {5, "locked", 5}, {6, "future", 3}, {7, "missing", 8}} {
		r := rows[tc.row]
		if r.state() != tc.state || (r.state() != stateOK) != (tc.code != 0) || exitCode(r.state()) != tc.code {
			t.Errorf("row %d (%s/%s): state %s stale %v code %d, want %s %d", tc.row, r.Host, r.Set, r.state(), (r.state() != stateOK), exitCode(r.state()), tc.state, tc.code)
		}
		var se *statusError
		if err := StaleError([]SetStatus{rows[0], r}); tc.code != 0 && (!errors.As(err, &se) || se.exitStatus() != tc.code) {
			t.Errorf("row %d: StaleError = %v, want exit status %d", tc.row, err, tc.code)
		}
	}
	if rows[0].Last.ShortID != "bbbb2222" {
		t.Errorf("newest snapshot = %s, want bbbb2222", rows[0].Last.ShortID)
	}
	var b bytes.Buffer
	if err := WriteStatus(&b, rows); err != nil {
		t.Fatal(err)
	}
	golden(t, "status.txt", b.String())
	b.Reset()
	if err := WriteStatusJSON(&b, rows); err != nil {
		t.Fatal(err)
	}
	golden(t, "status.json", b.String())
	err := StaleError(rows[:4])
	want := "3 of 4 backup sets need attention: p620/system (stale), razer/home (never), hp/lab (unreadable)"
	var se *statusError
	if !errors.As(err, &se) || err.Error() != want || se.Code != 7 {
		t.Errorf("StaleError = %v, want %q with exit status 7", err, want)
	}
	if err := StaleError(rows[:1]); err != nil {
		t.Errorf("StaleError(fresh) = %v", err)
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second: "in the future", 17 * time.Second: "17s", 42 * time.Minute: "42m",
		5*time.Hour + 12*time.Minute: "5h12m", 47 * time.Hour: "47h00m", 76 * time.Hour: "3d04h",
	} {
		if got := formatAge(d); got != want {
			t.Errorf("Age(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		stderr string
		want   string
		noRepo bool
	}{
		{"Fatal: unable to open config file: stat /r/config: no such file or directory\nIs there a repository at the following location?", "no restic repository", true},
		{"Fatal: wrong password or no key found", "wrong repository password", false},
		{"Fatal: something else", "exit status 1", false},
		// restic 0.14's refusal when a lock is held: who holds it goes on one line.
		{"unable to create lock in backend: repository is already locked by PID 700 on p510 by root (UID 0, GID 0)\nlock was created at 2026-12-01 11:18:35 (1.621578354s ago)\nstorage ID 8b81daf1\nthe `unlock` command can be used to remove stale locks",
			"the repository is locked (held by PID 700 on p510 by root (UID 0, GID 0), created at 2026-12-01 11:18:35 (1.621578354s ago); backup:unlock removes a stale lock, never a live run's)", false},
	} {
		err := classify(&command.ExitError{Host: "h", Args: []string{"restic"}, ExitCode: 1, Stderr: tc.stderr})
		if !strings.Contains(err.Error(), tc.want) || errors.Is(err, errNoRepository) != tc.noRepo {
			t.Errorf("classify(%q) = %v", tc.stderr, err)
		}
	}
}

// A snapshot dated in the future (a host whose clock was wrong once) is the newest forever: with
// a negative age it read as fresh, and hid every later missed backup until that date. Small skew
// is tolerated; snapshots in other time zones compare by instant.
func TestJudgeFutureSnapshot(t *testing.T) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	berlin := time.FixedZone("CET", 3600)
	old := Snapshot{ID: "old", ShortID: "old", Time: now.Add(-30 * time.Hour).In(berlin)}
	bogus := Snapshot{ID: "bogus", ShortID: "bogus", Time: now.AddDate(0, 3, 0)}
	st := judgeSet("p510", "media", 26*time.Hour, []Snapshot{old, bogus}, now)
	if !(st.state() != stateOK) || st.state() != "future" {
		t.Errorf("snapshot 3 months ahead: state %s stale %v, want future true", st.state(), (st.state() != stateOK))
	}
	skewed := Snapshot{ID: "skew", ShortID: "skew", Time: now.Add(2 * time.Minute).In(berlin)}
	if st := judgeSet("p510", "media", 26*time.Hour, []Snapshot{old, skewed}, now); (st.state() != stateOK) || st.state() != "ok" || st.Last.ID != "skew" {
		t.Errorf("snapshot 2 minutes ahead: state %s stale %v last %s, want ok", st.state(), (st.state() != stateOK), st.Last.ID)
	}
	if st := judgeSet("p510", "media", 26*time.Hour, []Snapshot{old}, now); !(st.state() != stateOK) || st.Age != 30*time.Hour {
		t.Errorf("30h old snapshot in CET: age %v stale %v", st.Age, (st.state() != stateOK))
	}
}

// The rotation reads group 1, 2, ... N, 1, ...: every pack is read within N runs. A missing,
// garbled or other-N record starts at 1 rather than failing the verify.
func TestNextGroup(t *testing.T) {
	for _, tc := range []struct {
		last string
		want int
	}{{"", 1}, {"1/20\n", 2}, {"19/20", 20}, {"20/20", 1}, {"3/10", 1}, {"0/20", 1}, {"21/20", 1}, {"x", 1}, {"5%", 1}} {
		if got := nextGroup(tc.last, 20); got != tc.want {
			t.Errorf("nextGroup(%q, 20) = %d, want %d", tc.last, got, tc.want)
		}
	}
	seen := map[int]bool{}
	last := ""
	for range 20 {
		g := nextGroup(last, 20)
		seen[g] = true
		last = fmt.Sprintf("%d/20", g)
	}
	if len(seen) != 20 {
		t.Errorf("20 runs read %d distinct groups, want 20", len(seen))
	}
}

// A locked repository is not a damaged one: each restic check failure is named for what it is.
func TestCheckError(t *testing.T) {
	for _, tc := range []struct {
		stderr          string
		damaged, locked bool
		want            string
	}{
		{"Pack ID does not match, want 3c5b5c3a, got 2a9be3b3\nFatal: repository contains errors", true, false, "the repository is damaged: restic check found errors"},
		{"unable to create lock in backend: repository is already locked exclusively by PID 9 on p510 by root (UID 0, GID 0)", false, true, "the repository is locked"},
		{"Fatal: wrong password or no key found", false, false, "wrong repository password"},
		{"Fatal: unable to open config file: stat /r/config: no such file or directory\nIs there a repository at the following location?", false, false, "no restic repository there"},
		{"Fatal: unable to open repository at sftp:nas:/r: ssh: connect to host nas port 22: Connection refused", false, false, "the repository could not be checked"},
	} {
		err := checkError(&command.ExitError{Host: "h", Args: []string{"restic", "check"}, ExitCode: 1, Stderr: tc.stderr})
		if errors.Is(err, errDamaged) != tc.damaged || errors.Is(err, errLocked) != tc.locked || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("checkError(%q) = %v (damaged %v, locked %v)", tc.stderr, err, errors.Is(err, errDamaged), errors.Is(err, errLocked))
		}
	}
}

func TestCountCopied(t *testing.T) {
	out := "\nsnapshot a8d16583 of [/tmp/rc/d] at 2026-12-01 11:17:29 +0000 UTC)\n  copy started, this may take a while...\n" +
		"snapshot 3041c473 saved\n\nsnapshot b9e27694 of [/tmp/rc/d] at 2026-12-01 11:18:00 +0000 UTC)\n" +
		"skipping source snapshot b9e27694, was already copied to snapshot 5152d584\n"
	if n := countCopied(out); n != 1 {
		t.Errorf("countCopied = %d, want 1", n)
	}
}

// A sample restore that meets a damaged blob is damage too, not an unexplained failure.
func TestRestoreError(t *testing.T) {
	for _, tc := range []struct {
		stderr  string
		damaged bool
	}{
		{"ignoring error for /root/data/f: ciphertext verification failed\nFatal: There were 2 errors", true},
		{"Fatal: unable to open config file: stat /r/config: no such file or directory\nIs there a repository at the following location?", false},
		{"ignoring error for /root/data/f: open /tmp/x: no space left on device", false},
	} {
		err := restoreError(&command.ExitError{Host: "h", Args: []string{"restic", "restore"}, ExitCode: 1, Stderr: tc.stderr})
		if errors.Is(err, errDamaged) != tc.damaged {
			t.Errorf("restoreError(%q) = %v, damaged %v", tc.stderr, err, !tc.damaged)
		}
	}
}
