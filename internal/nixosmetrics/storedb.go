package nixosmetrics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"syscall"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// StoreDB is the Nix store database: ValidPaths has one row per valid store path with its NAR
// size, so the store's size is one query instead of a walk of millions of files.
const StoreDB = "/nix/var/nix/db/db.sqlite"

// Why modernc.org/sqlite: it is SQLite itself translated to Go, so the exporters stay static
// CGO_ENABLED=0 builds for amd64 and arm64, the unit needs no sqlite3 binary on its path (and no
// parsing of its output), nothing is compiled at run time (a WebAssembly SQLite would need
// writable executable memory, which the unit's MemoryDenyWriteExecute forbids), and the locking
// that makes reading beside a writing nix safe is SQLite's own, not ours.

// dbQuiet is how long the database file must be unchanged before it is read as an immutable
// snapshot, so that a write during the read moves its mtime even though the kernel stamps files
// from a clock that advances only every tick (at most 10 ms). A filesystem that keeps whole
// seconds only (mtime without nanoseconds) needs dbQuietCoarse.
const (
	dbQuiet       = 100 * time.Millisecond
	dbQuietCoarse = 2 * time.Second
)

// dbRetryFor bounds the retries of one read while nix keeps the database busy; the scan then
// reports the store part failed until the next one.
const dbRetryFor = 10 * time.Second

// errDBBusy marks a read that met a writer and can be tried again.
var errDBBusy = errors.New("store database busy")

// storeDBTotals returns the sum of narSize and the number of rows of ValidPaths in the database
// file (a host path). It never writes: the database is opened read-only.
//
// Nix keeps the database in WAL mode. While a nix process has it open, the -wal and -shm files
// exist and a read-only connection reads a consistent snapshot through them (SQLite's read-only
// WAL support, which also works when the -shm file is not writable, as for the exporter's
// DynamicUser). When no nix process has it open, the last one checkpointed and removed them, so
// the database file alone is the whole state. A WAL connection would then create the two files:
// a reader that may not write /nix/var/nix/db cannot open it at all ("attempt to write a readonly
// database"), and root would leave files in nix's directory. So that file is read as immutable,
// which needs neither, and the read counts only if no -wal appeared and the file is unchanged
// from before the read until after it; otherwise it is retried.
func storeDBTotals(ctx context.Context, file string) (size, paths int64, err error) {
	deadline := time.Now().Add(dbRetryFor)
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		size, paths, err = storeDBRead(ctx, file)
		if err == nil || !errors.Is(err, errDBBusy) || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return 0, 0, fmt.Errorf("store db %s: %w", file, ctx.Err())
		case <-time.After(wait):
		}
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store db %s: %w", file, err)
	}
	return size, paths, nil
}

func storeDBRead(ctx context.Context, file string) (size, paths int64, err error) {
	before, err := dbFileState(file)
	if err != nil {
		return 0, 0, err
	}
	if before.wal {
		size, paths, err = sumValidPaths(ctx, dbURI(file, false))
		if err != nil && cannotOpenReadOnly(err) {
			// The writer closed the database between the stat and the open.
			return 0, 0, fmt.Errorf("%w: %v", errDBBusy, err)
		}
		return size, paths, err
	}
	quiet := dbQuiet
	if before.mtime.Nanosecond() == 0 {
		quiet = dbQuietCoarse
	}
	if age := time.Since(before.mtime); age < quiet {
		return 0, 0, fmt.Errorf("%w: written %s ago", errDBBusy, age.Round(time.Millisecond))
	}
	size, paths, err = sumValidPaths(ctx, dbURI(file, true))
	if err != nil {
		return 0, 0, fmt.Errorf("immutable read: %w", err)
	}
	after, err := dbFileState(file)
	if err != nil {
		return 0, 0, err
	}
	if after != before {
		return 0, 0, fmt.Errorf("%w: changed while read", errDBBusy)
	}
	return size, paths, nil
}

// dbURI is the SQLite URI of file, read-only; busy_timeout lets a reader wait for a checkpoint
// or a recovery instead of failing at once.
func dbURI(file string, immutable bool) string {
	q := url.Values{"mode": {"ro"}, "_pragma": {"busy_timeout(2000)"}}
	if immutable {
		q.Set("immutable", "1")
	}
	return (&url.URL{Scheme: "file", OmitHost: true, Path: file, RawQuery: q.Encode()}).String()
}

func sumValidPaths(ctx context.Context, uri string) (size, paths int64, err error) {
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	// narSize is NULL in rows registered by very old Nix versions; they count as empty.
	row := db.QueryRowContext(ctx, "SELECT count(*), coalesce(sum(narSize), 0) FROM ValidPaths")
	if err := row.Scan(&paths, &size); err != nil {
		if isBusy(err) {
			return 0, 0, fmt.Errorf("%w: %v", errDBBusy, err)
		}
		return 0, 0, fmt.Errorf("sum ValidPaths: %w", err)
	}
	return size, paths, nil
}

// cannotOpenReadOnly is SQLite's answer when the -wal or -shm file is missing and a reader
// without write access to the database's directory cannot create it.
func cannotOpenReadOnly(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN:
		return true
	}
	return false
}

func isBusy(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return true
	}
	return false
}

// dbState is what tells that a database file changed: any write moves mtime, a replacement
// changes the inode, and a nix process that opens it creates the -wal file.
type dbState struct {
	ino   uint64
	size  int64
	mtime time.Time
	wal   bool
}

func dbFileState(file string) (dbState, error) {
	fi, err := os.Stat(file)
	if err != nil {
		return dbState{}, err
	}
	st := dbState{size: fi.Size(), mtime: fi.ModTime()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.ino = sys.Ino
	}
	if _, err := os.Lstat(file + "-wal"); err == nil {
		st.wal = true
	} else if !errors.Is(err, fs.ErrNotExist) {
		return dbState{}, err
	}
	return st, nil
}
