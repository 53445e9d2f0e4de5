package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/pkg/command"
	"github.com/nixos-hub/hub/pkg/inventory"
	"github.com/nixos-hub/hub/pkg/localfleet"
	"github.com/nixos-hub/hub/pkg/parallel"
)

// backupTable is the set every test host gets. /root and /run are private to each local-fleet
// host, so the data, the repository and the password are each host's own, as on real machines.
const backupTable = `
[[backup]]
name = "data"
paths = ["/root/data"]
exclude = ["*.tmp"]
repository = "/root/restic-repo"
password_file = "/run/agenix/restic-password"
keep_last = 1
max_age = "1h"
sqlite = ["/root/data/app.db"]
sqlite_dir = "/root/sqlite-copies"
`

func needFleet(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the local fleet needs root (mount namespaces)")
	}
	for _, tool := range []string{"nix", "unshare", "ssh", "restic", "sqlite3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
}

// fleetWithBackups starts a local fleet, adds the backup set to each generated host.toml and
// seeds each host's data, password and a SQLite database.
func fleetWithBackups(t *testing.T, names ...string) (*localfleet.Fleet, *inventory.Fleet) {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "hb")
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(dir) // Up creates it
	lf, err := localfleet.Up(context.Background(), localfleet.Config{Dir: dir, Hosts: names})
	if err != nil {
		t.Fatalf("local fleet: %v", err)
	}
	t.Cleanup(func() {
		if err := lf.Down(context.Background()); err != nil {
			t.Errorf("local fleet down: %v", err)
		}
	})
	for _, h := range lf.Hosts() {
		f, err := os.OpenFile(filepath.Join(lf.InventoryDir(), h.Name, "host.toml"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(backupTable)
		f.Close()
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
	inv, err := inventory.Load(lf.InventoryDir())
	if err != nil {
		t.Fatal(err)
	}
	return lf, inv
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
	lf, inv := fleetWithBackups(t, "p510", "dex5550")
	e := &command.Executor{}
	defer e.Close()
	hostDir := func(name string) string {
		h, err := lf.Host(name)
		if err != nil {
			t.Fatal(err)
		}
		return h.Dir
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
		for _, want := range []string{"initialised repository /root/restic-repo", "copied to /root/sqlite-copies/root/data/app.db", "phase data: backup", "snapshot "} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		for _, h := range inv.Names() {
			metric, err := os.ReadFile(filepath.Join(hostDir(h), "run/textfile/hub_backup_data.prom"))
			if err != nil || !strings.Contains(string(metric), `hub_backup_last_success_timestamp_seconds{set="data"} `) {
				t.Errorf("%s: metric file: %v %q", h, err, metric)
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
		if !errors.Is(err, ErrTargetNotEmpty) {
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
		rows, rep, err := FleetStatus(t.Context(), e, inv.Hosts, "", time.Now(), parallel.Options{Out: io.Discard, Progress: parallel.ProgressPlain})
		if err != nil || rep.Failed() > 0 || len(rows) != 2 || StaleError(rows) != nil {
			t.Fatalf("fleet status: %v %+v", err, rows)
		}
		if _, err := Each(t.Context(), e, inv.Hosts, "nope", parallel.Options{Out: io.Discard}, nil); err == nil ||
			err.Error() != `backup set "nope": none of the selected hosts (dex5550, p510) has it in host.toml` {
			t.Errorf("unknown set: %v", err)
		}
		fresh := j.Status(t.Context(), time.Now())
		if fresh.State() != "ok" || fresh.Snapshots != 2 {
			t.Errorf("fresh status = %s with %d snapshots", fresh.State(), fresh.Snapshots)
		}
		// max_age is 1h: two hours on, the set is stale.
		later := j.Status(t.Context(), started.Add(2*time.Hour))
		if !later.Stale() || later.State() != "stale" || StaleError([]SetStatus{later}) == nil {
			t.Errorf("status two hours later = %s (age %s)", later.State(), later.Age)
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

	t.Run("corrupt pack fails verify", func(t *testing.T) {
		hd, _ := inv.Host("dex5550")
		dset, _ := hd.Backup("data")
		dj := NewJob(e, hd, dset)
		packs, _ := filepath.Glob(filepath.Join(hostDir("dex5550"), "root/restic-repo/data/*/*"))
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
		if !strings.Contains(err.Error(), "host dex5550: set data: check: the repository is damaged or unreadable") {
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
