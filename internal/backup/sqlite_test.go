package backup

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
)

const batch = 25 // rows per writer transaction

// writer inserts rows into db in transactions of batch rows, as fast as it can, until ctx is
// done; it is a separate sqlite3 process, as Plex or Sonarr would be.
func writer(t *testing.T, ctx context.Context, db, mode string) (commits func() int) {
	t.Helper()
	cmd := exec.CommandContext(ctx, "sqlite3", "-batch", db)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(stdin, ".timeout 30000\nPRAGMA journal_mode=%s;\nCREATE TABLE IF NOT EXISTS rows(batch INTEGER, n INTEGER, pad TEXT);\n", mode)
	acks := make(chan int, 1024)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if n, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "done ")); err == nil {
				acks <- n
			}
		}
		close(acks)
	}()
	go func() {
		defer stdin.Close()
		for b := 1; ctx.Err() == nil; b++ {
			var sb strings.Builder
			sb.WriteString("BEGIN;\n")
			for n := range batch {
				fmt.Fprintf(&sb, "INSERT INTO rows VALUES(%d, %d, hex(randomblob(16)));\n", b, n)
			}
			fmt.Fprintf(&sb, "COMMIT;\nSELECT 'done %d';\n", b)
			if _, err := io.WriteString(stdin, sb.String()); err != nil {
				return
			}
		}
	}()
	last := 0
	t.Cleanup(func() { cmd.Wait() })
	return func() int {
		for {
			select {
			case n, ok := <-acks:
				if !ok {
					return last
				}
				last = n
			default:
				return last
			}
		}
	}
}

// The hook's copy of a database that another process keeps writing is the database as of one
// commit: intact, and holding only whole transactions, however often it is taken.
func TestCopySQLiteWhileWriting(t *testing.T) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		t.Skip("sqlite3 not installed (apt-get install sqlite3)")
	}
	for _, mode := range []string{"wal", "delete"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "live", "library.db")
			if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			commits := writer(t, ctx, db, mode)
			waitCommits(t, commits, 20)

			e := &command.Executor{}
			j := Job{Host: e.Local(), HostName: "local", Set: inventory.BackupSet{Name: "arr", SQLiteDir: filepath.Join(dir, "copies")}}
			prevRows := 0
			for round := range 5 {
				before := commits()
				dst, err := j.copySQLite(t.Context(), db)
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				if want := filepath.Join(dir, "copies", db); dst != want {
					t.Fatalf("copy at %s, want %s", dst, want)
				}
				out := sqlite(t, dst, "PRAGMA integrity_check; SELECT count(*) FROM rows; SELECT count(*) FROM (SELECT batch FROM rows GROUP BY batch HAVING count(*) != "+strconv.Itoa(batch)+"); SELECT max(batch) FROM rows;")
				f := strings.Fields(out)
				if len(f) != 4 || f[0] != "ok" {
					t.Fatalf("round %d: copy: %q", round, out)
				}
				rows, _ := strconv.Atoi(f[1])
				torn, _ := strconv.Atoi(f[2])
				maxBatch, _ := strconv.Atoi(f[3])
				if torn != 0 || rows != maxBatch*batch {
					t.Errorf("round %d: copy holds %d rows over %d batches, %d batches incomplete: not one commit's state", round, rows, maxBatch, torn)
				}
				if maxBatch < before || rows <= prevRows {
					t.Errorf("round %d: copy has %d batches (%d rows), writer had committed %d before (previous copy %d rows)", round, maxBatch, rows, before, prevRows)
				}
				prevRows = rows
				waitCommits(t, commits, commits()+5)
			}
			t.Logf("%s: writer committed %d transactions of %d rows during 5 copies", mode, commits(), batch)
		})
	}
}

func waitCommits(t *testing.T, commits func() int, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for commits() < n {
		if time.Now().After(deadline) {
			t.Fatalf("writer stuck at %d commits, waiting for %d", commits(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func sqlite(t *testing.T, db, sql string) string {
	t.Helper()
	out, err := exec.Command("sqlite3", "-batch", db, sql).CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3 %s: %v: %s", db, err, out)
	}
	return string(out)
}

// A database that is not there (a typo in host.toml, an app that moved its data) must fail the
// backup: sqlite3 would otherwise create an empty file at the live path and VACUUM it INTO a
// copy that passes integrity_check, and the backup would hold an empty database.
func TestCopySQLiteMissingDatabase(t *testing.T) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		t.Skip("sqlite3 not installed (apt-get install sqlite3)")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "live", "gone.db")
	if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
		t.Fatal(err)
	}
	e := &command.Executor{}
	j := Job{Host: e.Local(), HostName: "local", Set: inventory.BackupSet{Name: "arr", SQLiteDir: filepath.Join(dir, "copies")}}
	if dst, err := j.copySQLite(t.Context(), db); err == nil {
		t.Fatalf("copy of a missing database succeeded: %s", dst)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the copy created %s: %v", db, err)
	}
	if _, err := os.Stat(j.sqliteCopy(db)); !os.IsNotExist(err) {
		t.Errorf("a copy exists at %s: %v", j.sqliteCopy(db), err)
	}
}
