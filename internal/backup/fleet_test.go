package backup

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/parallel"
)

// backupTable is the set every test host gets. /root and /run are private to each local-fleet
// host, so the data, the repository and the password are each host's own, as on real machines.
// The repository is on the host's "backup disk": /root/disk bind-mounted at /root/backup-disk
// (mountDisk), so the machine still reads it at <host dir>/root/disk.
const backupTable = `
[[backup]]
name = "data"
paths = ["/root/data"]
exclude = ["*.tmp"]
repository = "/root/backup-disk/restic"
mount = "/root/backup-disk"
password_file = "/run/agenix/restic-password"
keep_last = 1
max_age = "1h"
sqlite = ["/root/data/app.db"]
sqlite_dir = "/root/sqlite-copies"
state_dir = "/root/hub-state"
`

func needFleet(t *testing.T) {
	t.Helper()
	fleettest.Need(t, "restic", "sqlite3")
}

// fleetWithBackups starts a local fleet, adds the backup set to each generated host.toml and
// seeds each host's data, password and a SQLite database.
func fleetWithBackups(t *testing.T, names ...string) (*localfleet.Fleet, *inventory.Fleet) {
	t.Helper()
	tables := map[string]string{}
	for _, n := range names {
		tables[n] = backupTable
	}
	return fleetWith(t, names, tables)
}

// fleetWith starts a fleet of names; each host with a table in tables gets it appended to its
// host.toml and is seeded with data, a password and a SQLite database.
func fleetWith(t *testing.T, names []string, tables map[string]string) (*localfleet.Fleet, *inventory.Fleet) {
	t.Helper()
	lf := fleettest.Start(t, localfleet.Config{Hosts: names}, "restic", "sqlite3")
	for _, h := range lf.Hosts() {
		table, ok := tables[h.Name]
		if !ok {
			continue
		}
		fleettest.AppendHostTOML(t, lf, h.Name, table)
		write(t, filepath.Join(h.Dir, "run/agenix/restic-password"), "secret of "+h.Name)
		for i := range 30 {
			write(t, filepath.Join(h.Dir, "root/data", fmt.Sprintf("dir%d/file%d.txt", i%4, i)), strings.Repeat(fmt.Sprintf("%s line %d\n", h.Name, i), 50*i+1))
		}
		write(t, filepath.Join(h.Dir, "root/data/scratch.tmp"), "excluded")
		if out, err := exec.Command("sqlite3", filepath.Join(h.Dir, "root/data/app.db"),
			"CREATE TABLE t(x); INSERT INTO t VALUES (1),(2),(3);").CombinedOutput(); err != nil {
			t.Fatalf("sqlite3: %v: %s", err, out)
		}
	}
	return lf, fleettest.Inventory(t, lf)
}

// onHost runs a shell script as root on the host, over ssh like every backup command.
func onHost(t *testing.T, e *command.Executor, inv *inventory.Fleet, host, script string, args ...string) string {
	t.Helper()
	h, ok := inv.Host(host)
	if !ok {
		t.Fatalf("no host %s", host)
	}
	return fleettest.Sh(t, e, h, script, args...)
}

// mountDisk plugs the host's backup disk in: /root/disk bind-mounted at /root/backup-disk in
// the host's own mount namespace (the machine sees neither the mount nor a missing one).
func mountDisk(t *testing.T, e *command.Executor, inv *inventory.Fleet, host string) {
	t.Helper()
	onHost(t, e, inv, host, `mkdir -p /root/disk /root/backup-disk && mount --bind /root/disk /root/backup-disk`)
}

// unmountDisk unplugs it: /root/backup-disk is an empty directory of the root file system again.
func unmountDisk(t *testing.T, e *command.Executor, inv *inventory.Fleet, host string) {
	t.Helper()
	onHost(t, e, inv, host, `umount /root/backup-disk`)
}

func write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// forAll runs fn for the data set of every host through Each, as the targets do.
func forAll(t *testing.T, inv *inventory.Fleet, e *command.Executor, fn func(context.Context, *parallel.Task, Job) error) (*parallel.Report, string) {
	t.Helper()
	var out bytes.Buffer
	rep, err := Each(t.Context(), e, inv.Hosts, "data", parallel.Options{Name: "backup-test", KeepGoing: true, Out: &out, Progress: parallel.ProgressPlain}, fn)
	if err != nil {
		t.Fatal(err)
	}
	return rep, out.String()
}

func TestFleetBackupLifecycle(t *testing.T) {
	needFleet(t)
	// dex5550 keeps 3 snapshots, so one deleted by hand is one its retention keeps.
	lf, inv := fleetWith(t, []string{"p510", "dex5550"}, map[string]string{"p510": backupTable,
		"dex5550": strings.Replace(backupTable, "keep_last = 1", "keep_last = 3", 1)})
	e := &command.Executor{}
	defer e.Close()
	hostDir := func(name string) string {
		h, err := lf.Host(name)
		if err != nil {
			t.Fatal(err)
		}
		return h.Dir
	}
	for _, h := range inv.Names() {
		mountDisk(t, e, inv, h)
	}
	started := time.Now()

	t.Run("run", func(t *testing.T) {
		rep, out := forAll(t, inv, e, func(ctx context.Context, task *parallel.Task, j Job) error {
			sum, err := j.Backup(ctx, task, Options{Init: true, TextfileDir: "/run/textfile"})
			task.Set("snapshot", sum.SnapshotID)
			// 30 data files and app.db's consistent copy; the live app.db and scratch.tmp are excluded.
			if err == nil && sum.FilesNew != 31 {
				return fmt.Errorf("files new = %d, want 31: %s", sum.FilesNew, sum)
			}
			return err
		})
		if rep.Failed() > 0 {
			t.Fatalf("%v\n%s", rep.Err(), out)
		}
		for _, want := range []string{"initialised repository /root/backup-disk/restic", "copied to /root/sqlite-copies/root/data/app.db", "phase data: backup", "snapshot "} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		for _, h := range inv.Names() {
			metric, err := os.ReadFile(filepath.Join(hostDir(h), "run/textfile/hub_backup_data.prom"))
			if err != nil || !strings.Contains(string(metric), `hub_backup_last_success_timestamp_seconds{set="data"} `) {
				t.Errorf("%s: metric file: %v %q", h, err, metric)
			}
			// The copies hold the applications' data: root only, as the NixOS unit makes them.
			for name, want := range map[string]os.FileMode{
				"root/sqlite-copies":                  0o700 | os.ModeDir,
				"root/sqlite-copies/root/data":        0o700 | os.ModeDir,
				"root/sqlite-copies/root/data/app.db": 0o600,
			} {
				if st, err := os.Stat(filepath.Join(hostDir(h), name)); err != nil || st.Mode() != want {
					t.Errorf("%s: /%s: mode %v (%v), want %v", h, name, st.Mode(), err, want)
				}
			}
		}
	})

	t.Run("second run sees one change", func(t *testing.T) {
		write(t, filepath.Join(hostDir("p510"), "root/data/dir1/file1.txt"), "changed")
		rep, out := forAll(t, inv, e, func(ctx context.Context, task *parallel.Task, j Job) error {
			sum, err := j.Backup(ctx, task, Options{TextfileDir: "-"})
			want := 0
			if j.HostName == "p510" {
				want = 1
			}
			// app.db's copy is rewritten by every run, so restic sees it changed too.
			if err == nil && (sum.FilesChanged != want+1 || sum.FilesNew != 0) {
				return fmt.Errorf("changed %d new %d, want %d and 0: %s", sum.FilesChanged, sum.FilesNew, want+1, sum)
			}
			return err
		})
		if rep.Failed() > 0 {
			t.Fatalf("%v\n%s", rep.Err(), out)
		}
	})

	h510, _ := inv.Host("p510")
	set, _ := h510.Backup("data")
	j := NewJob(e, h510, set)

	t.Run("snapshots", func(t *testing.T) {
		snaps, err := j.Snapshots(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(snaps) != 2 || snaps[0].Hostname != "p510" || !strings.Contains(strings.Join(snaps[1].Tags, ","), "set:data") {
			t.Fatalf("snapshots = %+v", snaps)
		}
	})

	t.Run("verify", func(t *testing.T) {
		rec := &recorder{}
		vr, err := j.Verify(t.Context(), rec, VerifyOptions{ReadDataSubset: "100%", Sample: 10, Rand: rand.New(rand.NewPCG(7, 7))})
		if err != nil {
			t.Fatalf("%v\n%s", err, rec.output())
		}
		if vr.Checked+len(vr.Changed) != 10 || vr.Checked < 8 || len(vr.Mismatch) != 0 {
			t.Errorf("verify = %+v", vr)
		}
		if err := j.RecordVerify(t.Context(), "/run/textfile", time.Now(), err); err != nil {
			t.Fatal(err)
		}
		metric, rerr := os.ReadFile(filepath.Join(hostDir("p510"), "run/textfile/hub_backup_verify_data.prom"))
		if rerr != nil || !strings.Contains(string(metric), `hub_backup_verify_success{set="data"} 1`+"\n") {
			t.Errorf("verify metric: %v %q", rerr, metric)
		}
	})

	t.Run("restore", func(t *testing.T) {
		rec := &recorder{}
		ctx := t.Context()
		if _, err := j.Restore(ctx, rec, RestoreOptions{Snapshot: "latest", Target: "/root/restored"}); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"dir1/file1.txt", "dir3/file27.txt"} {
			src, _ := os.ReadFile(filepath.Join(hostDir("p510"), "root/data", f))
			got, err := os.ReadFile(filepath.Join(hostDir("p510"), "root/restored/root/data", f))
			if err != nil || !bytes.Equal(src, got) {
				t.Errorf("restored %s: %v (%d bytes, source %d)", f, err, len(got), len(src))
			}
		}
		if _, err := os.Stat(filepath.Join(hostDir("p510"), "root/restored/root/data/scratch.tmp")); err == nil {
			t.Error("the excluded scratch.tmp was backed up")
		}
		_, err := j.Restore(ctx, rec, RestoreOptions{Snapshot: "latest", Target: "/root/restored"})
		if !errors.Is(err, errTargetNotEmpty) {
			t.Fatalf("restore over a non-empty target: %v, want ErrTargetNotEmpty", err)
		}
		const wantMsg = "host p510: set data: restore: /root/restored: target directory is not empty: restoring would overwrite files (use -force, or pick an empty or new directory)"
		if err.Error() != wantMsg {
			t.Errorf("refusal = %q\nwant      %q", err, wantMsg)
		}
		if _, err := j.Restore(ctx, rec, RestoreOptions{Snapshot: "latest", Target: "/root/restored", Force: true}); err != nil {
			t.Errorf("restore -force: %v", err)
		}
		// One path of the first snapshot: the file as it was before the change.
		snaps, _ := j.Snapshots(ctx)
		if _, err := j.Restore(ctx, rec, RestoreOptions{Snapshot: snaps[0].ShortID, Path: "/root/data/dir1", Target: "/root/old"}); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(filepath.Join(hostDir("p510"), "root/old/root/data/dir1/file1.txt"))
		if !strings.HasPrefix(string(got), "p510 line 1\n") {
			t.Errorf("file1 from the first snapshot = %q", got)
		}
		if _, err := os.Stat(filepath.Join(hostDir("p510"), "root/old/root/data/dir2")); err == nil {
			t.Error("restoring /root/data/dir1 also restored dir2")
		}
		if _, err := j.Restore(ctx, rec, RestoreOptions{Snapshot: "ffffffff", Target: "/root/x"}); err == nil || !strings.Contains(err.Error(), "no such snapshot") {
			t.Errorf("unknown snapshot: %v", err)
		}
	})

	t.Run("status", func(t *testing.T) {
		rows, rep, err := FleetStatus(t.Context(), e, inv.Hosts, "", time.Now(), false, parallel.Options{Out: io.Discard, Progress: parallel.ProgressPlain})
		if err != nil || rep.Failed() > 0 || len(rows) != 2 || StaleError(rows) != nil {
			t.Fatalf("fleet status: %v %+v", err, rows)
		}
		if _, err := Each(t.Context(), e, inv.Hosts, "nope", parallel.Options{Out: io.Discard}, nil); err == nil ||
			err.Error() != `backup set "nope": none of the selected hosts (dex5550, p510) has it in host.toml` {
			t.Errorf("unknown set: %v", err)
		}
		fresh := j.Status(t.Context(), time.Now(), false)
		if fresh.state() != "ok" || fresh.Snapshots != 2 {
			t.Errorf("fresh status = %s with %d snapshots", fresh.state(), fresh.Snapshots)
		}
		// max_age is 1h: two hours on, the set is stale.
		later := j.Status(t.Context(), started.Add(2*time.Hour), false)
		if !(later.state() != stateOK) || later.state() != "stale" || StaleError([]SetStatus{later}) == nil {
			t.Errorf("status two hours later = %s (age %s)", later.state(), later.Age)
		}
	})

	t.Run("prune", func(t *testing.T) {
		rec := &recorder{}
		pr, err := j.Prune(t.Context(), rec)
		if err != nil {
			t.Fatalf("%v\n%s", err, rec.output())
		}
		if pr != (PruneResult{Kept: 1, Removed: 1}) {
			t.Errorf("prune = %+v, want kept 1 removed 1", pr)
		}
		snaps, _ := j.Snapshots(t.Context())
		if len(snaps) != 1 {
			t.Errorf("%d snapshots after prune, want 1", len(snaps))
		}
		if pr, err := j.Prune(t.Context(), rec); err != nil || pr.Removed != 0 {
			t.Errorf("second prune = %+v, %v", pr, err)
		}
	})

	// A live run's lock is never removed; a killed run's is, and verify calls either "locked",
	// never "damaged".
	t.Run("locks", func(t *testing.T) {
		ctx := t.Context()
		rec := &recorder{}
		onHost(t, e, inv, "p510", `rm -f /root/live.fifo && mkfifo /root/live.fifo
nohup sh -c 'sleep 60 > /root/live.fifo & echo $! > /root/sleep.pid
restic --repo "$1" --password-file "$2" backup --stdin --stdin-filename live --host p510 --tag set:live < /root/live.fifo & echo $! > /root/live.pid
wait' sh "$1" "$2" >/dev/null 2>&1 &`, set.Repository, set.PasswordFile)
		t.Cleanup(func() { onHost(t, e, inv, "p510", `kill $(cat /root/sleep.pid) 2>/dev/null; true`) })
		var locks []Lock
		for deadline := time.Now().Add(15 * time.Second); len(locks) == 0 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			var err error
			if locks, err = j.locks(ctx); err != nil {
				t.Fatal(err)
			}
		}
		livePID := strings.TrimSpace(onHost(t, e, inv, "p510", `cat /root/live.pid`))
		if len(locks) != 1 || fmt.Sprint(locks[0].PID) != livePID || locks[0].Hostname != "p510" {
			t.Fatalf("locks = %+v, want one of pid %s on p510", locks, livePID)
		}
		_, err := j.Verify(ctx, rec, VerifyOptions{ReadDataSubset: "100%", Sample: 2})
		if !errors.Is(err, errLocked) || errors.Is(err, errDamaged) || !strings.Contains(err.Error(), "by PID "+livePID+" on p510") {
			t.Errorf("verify of a locked repository: %v, want ErrLocked naming pid %s", err, livePID)
		}
		res, err := j.Unlock(ctx, rec)
		if err != nil || len(res.Removed) != 0 || len(res.Kept) != 1 {
			t.Fatalf("unlock with a live backup: %+v, %v; want the live lock kept", res, err)
		}
		// SIGKILL: restic cannot remove its lock, which now blocks check and prune.
		onHost(t, e, inv, "p510", `kill -9 $(cat /root/live.pid)`)
		if _, err := j.Prune(ctx, rec); !errors.Is(err, errLocked) {
			t.Errorf("prune with a stale lock: %v, want ErrLocked", err)
		}
		res, err = j.Unlock(ctx, rec)
		if err != nil || len(res.Removed) != 1 || len(res.Kept) != 0 || fmt.Sprint(res.Removed[0].PID) != livePID {
			t.Fatalf("unlock of a killed backup's lock: %+v, %v; want it removed", res, err)
		}
		if !strings.Contains(rec.output(), "removed stale shared lock") {
			t.Errorf("unlock output:\n%s", rec.output())
		}
		if locks, err := j.locks(ctx); err != nil || len(locks) != 0 {
			t.Errorf("locks after unlock: %+v, %v", locks, err)
		}
		if _, err := j.Verify(ctx, rec, VerifyOptions{ReadDataSubset: "100%", Sample: 2}); err != nil {
			t.Errorf("verify after unlock: %v", err)
		}
	})

	// The default verify reads group n of N in turn: every pack within N runs, and a damaged
	// one fails in the run that reads its group, and in every run after until it is repaired.
	t.Run("rotation", func(t *testing.T) {
		ctx := t.Context()
		rec := &recorder{}
		const groups = 3
		o := VerifyOptions{Groups: groups, Sample: 2}
		for i := range groups + 1 {
			vr, err := j.Verify(ctx, rec, o)
			if want := fmt.Sprintf("%d/%d", i%groups+1, groups); err != nil || vr.Subset != want {
				t.Fatalf("clean run %d: subset %q, %v; want %s", i+1, vr.Subset, err, want)
			}
		}
		if st, err := os.Stat(filepath.Join(hostDir("p510"), "root/hub-state/verify-group")); err != nil || st.Mode() != 0o600 {
			t.Errorf("state file: %v %v", st.Mode(), err)
		}
		// The largest pack holds file data (the tree packs are small, and a damaged tree
		// would fail every run's structure check, whatever the subset).
		packs, _ := filepath.Glob(filepath.Join(hostDir("p510"), "root/disk/restic/data/*/*"))
		var pack string
		var data []byte
		for _, p := range packs {
			if b, err := os.ReadFile(p); err == nil && len(b) > len(data) {
				pack, data = p, b
			}
		}
		if pack == "" {
			t.Fatal("no pack files")
		}
		id, err := hex.DecodeString(filepath.Base(pack))
		if err != nil {
			t.Fatal(err)
		}
		group := fmt.Sprintf("%d/%d", int(id[0])%groups+1, groups)
		bad := slices.Clone(data)
		bad[len(bad)/3] ^= 0xff
		os.Chmod(pack, 0o600)
		if err := os.WriteFile(pack, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.WriteFile(pack, data, 0o400) })
		failed := ""
		for i := range groups {
			vr, err := j.Verify(ctx, rec, o)
			switch {
			case err == nil && vr.Subset == group:
				t.Fatalf("run %d read group %s, which holds the damaged pack %s, and passed", i+1, group, filepath.Base(pack))
			case err == nil:
				continue
			case !errors.Is(err, errDamaged):
				t.Fatalf("run %d: %v (subset %s), want ErrDamaged", i+1, err, vr.Subset)
			case strings.Contains(err.Error(), "check --read-data-subset="+group+": "):
				failed = vr.Subset
			case strings.Contains(err.Error(), ": restore sample: "):
				// The sampled files met the damaged blob first: damage found all the same, and
				// the check passed, so the rotation moves on.
				continue
			default:
				t.Fatalf("run %d: %v, want the check of group %s to fail", i+1, err, group)
			}
			break
		}
		if failed == "" {
			t.Fatalf("%d runs never read the damaged pack %s (group %s)", groups, filepath.Base(pack), group)
		}
		if vr, err := j.Verify(ctx, rec, o); !errors.Is(err, errDamaged) || vr.Subset != group || !strings.Contains(err.Error(), "check --read-data-subset="+group+": ") {
			t.Errorf("the run after the failure: %v (subset %s), want the check of group %s to fail again", err, vr.Subset, group)
		}
	})

	// A snapshot deleted outside the retention is noticed, and stays noticed until accepted;
	// one forgotten by the retention is not.
	t.Run("deleted snapshot", func(t *testing.T) {
		ctx := t.Context()
		hd, _ := inv.Host("dex5550")
		dset, _ := hd.Backup("data")
		dj := NewJob(e, hd, dset)
		if _, err := dj.Backup(ctx, &recorder{}, Options{TextfileDir: "-"}); err != nil {
			t.Fatal(err)
		}
		snaps, err := dj.Snapshots(ctx)
		if err != nil || len(snaps) != 3 {
			t.Fatalf("snapshots: %d %v", len(snaps), err)
		}
		if st := dj.Status(ctx, time.Now(), false); st.state() != stateOK {
			t.Fatalf("status before: %s %v", st.state(), st.Err)
		}
		onHost(t, e, inv, "dex5550", `restic --repo "$1" --password-file "$2" forget "$3"`, dset.Repository, dset.PasswordFile, snaps[1].ID)
		for range 2 {
			st := dj.Status(ctx, time.Now(), false)
			if st.state() != stateMissing || exitCode(st.state()) != 8 || len(st.Missing) != 1 || st.Missing[0].ID != snaps[1].ID {
				t.Fatalf("status after deleting %s: %s, missing %+v (%v)", snaps[1].ShortID, st.state(), st.Missing, st.Err)
			}
		}
		if st := dj.Status(ctx, time.Now(), true); st.state() != stateOK {
			t.Errorf("status -accept: %s", st.state())
		}
		if st := dj.Status(ctx, time.Now(), false); st.state() != stateOK {
			t.Errorf("status after -accept: %s %+v", st.state(), st.Missing)
		}
		// A fourth snapshot and a prune: keep_last 3 forgets the oldest, by the retention.
		if _, err := dj.Backup(ctx, &recorder{}, Options{TextfileDir: "-"}); err != nil {
			t.Fatal(err)
		}
		dj.Status(ctx, time.Now(), false)
		dj.Backup(ctx, &recorder{}, Options{TextfileDir: "-"})
		if pr, err := dj.Prune(ctx, &recorder{}); err != nil || pr.Removed != 1 {
			t.Fatalf("prune: %+v %v", pr, err)
		}
		if st := dj.Status(ctx, time.Now(), false); st.state() != stateOK {
			t.Errorf("status after a prune: %s, missing %+v", st.state(), st.Missing)
		}
	})

	t.Run("corrupt pack fails verify", func(t *testing.T) {
		hd, _ := inv.Host("dex5550")
		dset, _ := hd.Backup("data")
		dj := NewJob(e, hd, dset)
		packs, _ := filepath.Glob(filepath.Join(hostDir("dex5550"), "root/disk/restic/data/*/*"))
		if len(packs) == 0 {
			t.Fatal("no pack files")
		}
		for _, p := range packs {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			data[len(data)/2] ^= 0xff
			os.Chmod(p, 0o600)
			if err := os.WriteFile(p, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		rec := &recorder{}
		_, err := dj.Verify(t.Context(), rec, VerifyOptions{ReadDataSubset: "100%", Sample: 5})
		if err == nil {
			t.Fatalf("verify passed on a corrupted repository:\n%s", rec.output())
		}
		if !errors.Is(err, errDamaged) || !strings.Contains(err.Error(), "host dex5550: set data: check --read-data-subset=100%: the repository is damaged: restic check found errors") {
			t.Errorf("verify error = %v", err)
		}
		// The failure is what BackupVerifyFailed alerts on.
		if err := dj.RecordVerify(t.Context(), "/run/textfile", time.Now(), err); err != nil {
			t.Fatal(err)
		}
		metric, rerr := os.ReadFile(filepath.Join(hostDir("dex5550"), "run/textfile/hub_backup_verify_data.prom"))
		if rerr != nil || !strings.Contains(string(metric), `hub_backup_verify_success{set="data"} 0`+"\n") {
			t.Errorf("verify metric after the failure: %v %q", rerr, metric)
		}
	})
}

// sshConfigTo lets root on host reach the fleet host nas as "nas" (restic's sftp: runs ssh),
// with the fleet's client key and strict host key checking, as a real host would with its own
// key in the NAS's authorized_keys.
func sshConfigTo(t *testing.T, lf *localfleet.Fleet, host, nas string) {
	t.Helper()
	h, err := lf.Host(host)
	if err != nil {
		t.Fatal(err)
	}
	n, err := lf.Host(nas)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(h.Dir, "root/.ssh/config"), fmt.Sprintf(`Host nas
  HostName %s
  Port %d
  User root
  IdentityFile %s
  IdentitiesOnly yes
  UserKnownHostsFile %s
  StrictHostKeyChecking yes
  BatchMode yes
`, n.Address, n.Port, lf.IdentityFile(), lf.KnownHosts()))
}

// Repositories that survive the host's disk: a backup disk checked before every run (never a
// new repository on its empty mount point), a repository on another host over sftp, and a
// second copy there with restic copy. samsung is the NAS.
func TestFleetBackupOffDisk(t *testing.T) {
	needFleet(t)
	lf, inv := fleetWith(t, []string{"p510", "dex5550", "samsung"}, map[string]string{
		"p510":    backupTable + `copy = "sftp:nas:/root/offsite/p510"` + "\n",
		"dex5550": strings.NewReplacer(`repository = "/root/backup-disk/restic"`, `repository = "sftp:nas:/root/restic-dex5550"`, `mount = "/root/backup-disk"`, "").Replace(backupTable),
	})
	e := &command.Executor{}
	defer e.Close()
	for _, h := range []string{"p510", "dex5550"} {
		sshConfigTo(t, lf, h, "samsung")
	}
	dir := func(name string) string {
		h, err := lf.Host(name)
		if err != nil {
			t.Fatal(err)
		}
		return h.Dir
	}
	job := func(name string) Job {
		h, _ := inv.Host(name)
		set, ok := h.Backup("data")
		if !ok {
			t.Fatalf("%s has no set data", name)
		}
		return NewJob(e, h, set)
	}
	p510, dex := job("p510"), job("dex5550")
	ctx := t.Context()

	t.Run("missing disk", func(t *testing.T) {
		// The mount point exists, empty, on the root file system, as /mnt/backup does on a
		// host whose disk is gone.
		onHost(t, e, inv, "p510", `mkdir -p /root/backup-disk`)
		rec := &recorder{}
		_, err := p510.Backup(ctx, rec, Options{Init: true, TextfileDir: "-"})
		const want = "host p510: set data: mount /root/backup-disk: not mounted: the backup disk is missing or failed, so nothing was read or written and no repository was created"
		if !errors.Is(err, errNotMounted) || err.Error() != want {
			t.Fatalf("backup without the disk: %v\nwant %s", err, want)
		}
		if entries, err := os.ReadDir(filepath.Join(dir("p510"), "root/backup-disk")); err != nil || len(entries) != 0 {
			t.Errorf("the empty mount point got %d entries (%v): a repository was created on the root file system", len(entries), err)
		}
		if st := p510.Status(ctx, time.Now(), false); st.state() != stateNoDisk || exitCode(st.state()) != 6 {
			t.Errorf("status without the disk: %s (%v)", st.state(), st.Err)
		}
	})

	t.Run("disk and a copy on the nas", func(t *testing.T) {
		mountDisk(t, e, inv, "p510")
		for run := 1; run <= 2; run++ {
			rec := &recorder{}
			if _, err := p510.Backup(ctx, rec, Options{Init: true, TextfileDir: "-"}); err != nil {
				t.Fatalf("run %d: %v\n%s", run, err, rec.output())
			}
			// Each run copies its own new snapshot; the earlier ones are already there.
			if !strings.Contains(rec.output(), "data: copied 1 new snapshots to sftp:nas:/root/offsite/p510") {
				t.Errorf("run %d output:\n%s", run, rec.output())
			}
		}
		if _, err := os.Stat(filepath.Join(dir("samsung"), "root/offsite/p510/config")); err != nil {
			t.Errorf("no copy repository on the nas: %v", err)
		}
		copyJob := p510
		copyJob.Set.Repository, copyJob.Set.Mount = p510.Set.Copy, ""
		orig, err := p510.Snapshots(ctx)
		if err != nil {
			t.Fatal(err)
		}
		copies, err := copyJob.Snapshots(ctx)
		if err != nil || len(copies) != 2 || len(orig) != 2 || !copies[1].Time.Equal(orig[1].Time) || copies[1].Hostname != "p510" {
			t.Errorf("copy repository snapshots = %+v (%v), originals %+v", copies, err, orig)
		}
	})

	t.Run("repository on the nas", func(t *testing.T) {
		rec := &recorder{}
		if _, err := dex.Backup(ctx, rec, Options{Init: true, TextfileDir: "-"}); err != nil {
			t.Fatalf("%v\n%s", err, rec.output())
		}
		if _, err := os.Stat(filepath.Join(dir("samsung"), "root/restic-dex5550/config")); err != nil {
			t.Errorf("no repository on the nas: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir("dex5550"), "root/restic-dex5550")); err == nil {
			t.Error("the repository landed on dex5550 itself")
		}
		if st := dex.Status(ctx, time.Now(), false); st.state() != stateOK || st.Snapshots != 1 {
			t.Errorf("status: %s with %d snapshots (%v)", st.state(), st.Snapshots, st.Err)
		}
	})

	t.Run("disk unplugged", func(t *testing.T) {
		unmountDisk(t, e, inv, "p510")
		rows, _, err := FleetStatus(ctx, e, inv.Hosts, "", time.Now(), false, parallel.Options{Out: io.Discard, Progress: parallel.ProgressPlain})
		if err != nil {
			t.Fatal(err)
		}
		var se *statusError
		if err := StaleError(rows); !errors.As(err, &se) || se.Code != 6 || !strings.Contains(err.Error(), "p510/data (no-disk)") {
			t.Errorf("status with the disk unplugged: %v", err)
		}
	})
}
