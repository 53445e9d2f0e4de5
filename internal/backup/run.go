package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/nixos-hub/hub/internal/command"
)

// defaultTextfileDir is where the last-success metric goes: node_exporter's textfile collector
// must be pointed at it (--collector.textfile.directory).
const defaultTextfileDir = "/var/lib/prometheus-node-exporter/textfile"

// Options tune Backup.
type Options struct {
	Init        bool             // create the repository when it does not exist
	TextfileDir string           // on the host; empty: defaultTextfileDir; "-": write no metric
	Now         func() time.Time // nil: time.Now
}

// Summary is restic's closing message of one backup.
type Summary struct {
	FilesNew        int     `json:"files_new"`
	FilesChanged    int     `json:"files_changed"`
	FilesUnmodified int     `json:"files_unmodified"`
	DataAdded       int64   `json:"data_added"`
	TotalFiles      int     `json:"total_files_processed"`
	TotalBytes      int64   `json:"total_bytes_processed"`
	Duration        float64 `json:"total_duration"`
	SnapshotID      string  `json:"snapshot_id"`
}

func (s Summary) String() string {
	return fmt.Sprintf("snapshot %s: %d new, %d changed, %d unmodified files; %s added (%d files, %s processed in %.1fs)",
		s.SnapshotID, s.FilesNew, s.FilesChanged, s.FilesUnmodified, humanize.IBytes(uint64(s.DataAdded)), s.TotalFiles, humanize.IBytes(uint64(s.TotalBytes)), s.Duration)
}

// Backup makes consistent copies of the set's SQLite databases, runs restic backup on the host
// with its JSON progress shown through r, and records the success as a metric on the host.
func (j Job) Backup(ctx context.Context, r Reporter, o Options) (Summary, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	r.Phase(j.Set.Name + ": repository")
	created, err := j.EnsureRepository(ctx, o.Init)
	if err != nil {
		return Summary{}, err
	}
	if created {
		r.Logf("%s: initialised repository %s", j.Set.Name, j.Set.Repository)
	}
	if len(j.Set.SQLite) > 0 {
		r.Phase(j.Set.Name + ": sqlite")
		for _, db := range j.Set.SQLite {
			dst, err := j.copySQLite(ctx, db)
			if err != nil {
				return Summary{}, err
			}
			r.Logf("%s: %s copied to %s (online backup, integrity ok)", j.Set.Name, db, dst)
		}
	}
	r.Phase(j.Set.Name + ": backup")
	prog := &progress{r: r, set: j.Set.Name, now: now, every: 2 * time.Second}
	_, err = j.Host.Run(ctx, command.Cmd{Args: j.restic(j.backupArgs()...), Stdout: prog})
	prog.Close()
	if err != nil {
		return Summary{}, j.errf("backup", classify(err))
	}
	sum, ok := prog.summary()
	if !ok {
		return Summary{}, j.errf("backup", errors.New("restic exited 0 without a summary message"))
	}
	r.Logf("%s: %s", j.Set.Name, sum)
	if j.Set.Copy != "" {
		r.Phase(j.Set.Name + ": copy")
		n, err := j.Copy(ctx, r, o.Init)
		if err != nil {
			return sum, err
		}
		r.Logf("%s: copied %d new snapshots to %s", j.Set.Name, n, j.Set.Copy)
	}
	if o.TextfileDir != "-" {
		dir := o.TextfileDir
		if dir == "" {
			dir = defaultTextfileDir
		}
		r.Phase(j.Set.Name + ": metric")
		if err := j.writeMetric(ctx, dir, now(), sum); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// backupArgs are the restic backup arguments: the set's paths plus the SQLite copies, with the
// live database files excluded so a torn copy of them never lands in a snapshot.
func (j Job) backupArgs() []string {
	args := []string{"backup", "--json", "--host", j.HostName, "--tag", j.tag()}
	for _, x := range j.Set.Exclude {
		args = append(args, "--exclude", x)
	}
	for _, db := range j.Set.SQLite {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			args = append(args, "--exclude", db+suffix)
		}
	}
	args = append(args, "--")
	args = append(args, j.Set.Paths...)
	if len(j.Set.SQLite) > 0 {
		args = append(args, j.Set.SQLiteDir)
	}
	return args
}

// sqliteCopy is where the consistent copy of db goes on the host: the database's path below the
// set's sqlite_dir, so copies of equally named databases never collide.
func (j Job) sqliteCopy(db string) string { return path.Join(j.Set.SQLiteDir, db) }

// copySQLite copies a live database with VACUUM INTO: one read transaction, so the copy is the
// database as of one commit however busy the writers are (the .backup command restarts whenever
// another connection writes and may never finish on a busy database), and a plain copy of a live
// file can be torn. The copy is integrity-checked before it replaces the previous one.
func (j Job) copySQLite(ctx context.Context, db string) (string, error) {
	dst := j.sqliteCopy(db)
	tmp := dst + ".hub-tmp"
	step := "sqlite " + db
	// sqlite3 opens a missing database as a new, empty one (and creates the file at the live
	// path): its copy would pass integrity_check and the backup would hold an empty database.
	// A database that is not there fails the backup instead.
	// The copies are the applications' data (password hashes, API keys): root only, as the
	// NixOS unit's umask 077 makes them. umask 077 makes new directories 0700 and the copy 0600;
	// sqlite_dir is chmod-ed too, because a directory an older run created stays as it was, and
	// a 0700 sqlite_dir closes everything below it.
	prepare := `umask 077; [ -f "$2" ] || { echo "database $2 does not exist" >&2; exit 3; }; mkdir -p "$3" "$(dirname "$1")" && chmod 0700 "$3" && rm -f "$1"`
	if _, err := j.Host.Run(ctx, command.Cmd{Args: []string{"sh", "-c", prepare, "sh", tmp, db, j.Set.SQLiteDir}}); err != nil {
		return "", j.errf(step, err)
	}
	// The SQL goes on stdin: the path is quoted once, by SQL rules, and never by a shell.
	sql := fmt.Sprintf(".bail on\n.timeout 30000\nVACUUM INTO '%s';\n", strings.ReplaceAll(tmp, "'", "''"))
	if _, err := j.Host.Run(ctx, command.Cmd{Args: []string{"sh", "-c", `umask 077 && exec sqlite3 -batch "$1"`, "sh", db}, Stdin: strings.NewReader(sql)}); err != nil {
		return "", j.errf(step, err)
	}
	out, err := j.Host.Output(ctx, "sqlite3", "-batch", tmp, "PRAGMA integrity_check;")
	if err != nil {
		return "", j.errf(step, err)
	}
	if out != "ok" {
		return "", j.errf(step, fmt.Errorf("the copy fails PRAGMA integrity_check: %s", firstLine(out)))
	}
	if _, err := j.Host.Run(ctx, command.Cmd{Args: []string{"sh", "-c", `chmod 0600 "$1" && mv -f -- "$1" "$2"`, "sh", tmp, dst}}); err != nil {
		return "", j.errf(step, err)
	}
	return dst, nil
}

// writeMetric replaces the set's textfile for node_exporter atomically (a scrape must never see
// half a file).
func (j Job) writeMetric(ctx context.Context, dir string, at time.Time, s Summary) error {
	return j.writeTextfile(ctx, dir, "hub_backup_"+j.Set.Name+".prom", Metric(j.Set.Name, at, s))
}

// writeTextfile replaces dir/file on the host with content, through a temporary file renamed
// into place.
func (j Job) writeTextfile(ctx context.Context, dir, file, content string) error {
	script := `mkdir -p "$1" && cat > "$1/.$2.tmp" && mv -f "$1/.$2.tmp" "$1/$2"`
	_, err := j.Host.Run(ctx, command.Cmd{Args: []string{"sh", "-c", script, "sh", dir, file}, Stdin: strings.NewReader(content)})
	if err != nil {
		return j.errf("metric", err)
	}
	return nil
}

// Metric is the textfile-collector content recording a successful backup.
func Metric(set string, at time.Time, s Summary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# HELP hub_backup_last_success_timestamp_seconds Unix time of the last successful restic backup of the set.\n")
	fmt.Fprintf(&b, "# TYPE hub_backup_last_success_timestamp_seconds gauge\n")
	fmt.Fprintf(&b, "hub_backup_last_success_timestamp_seconds{set=%q} %d\n", set, at.Unix())
	fmt.Fprintf(&b, "# HELP hub_backup_last_added_bytes Bytes the last successful backup of the set added to the repository.\n")
	fmt.Fprintf(&b, "# TYPE hub_backup_last_added_bytes gauge\n")
	fmt.Fprintf(&b, "hub_backup_last_added_bytes{set=%q} %d\n", set, s.DataAdded)
	fmt.Fprintf(&b, "# HELP hub_backup_last_files Files in the last successful backup of the set.\n")
	fmt.Fprintf(&b, "# TYPE hub_backup_last_files gauge\n")
	fmt.Fprintf(&b, "hub_backup_last_files{set=%q} %d\n", set, s.TotalFiles)
	return b.String()
}

// progress parses `restic backup --json` as it streams: status lines become a throttled
// progress line, the summary is kept, anything else (restic's errors about unreadable files)
// is shown as is.
type progress struct {
	r     Reporter
	set   string
	now   func() time.Time
	every time.Duration

	mu      sync.Mutex
	pending []byte
	last    time.Time
	sum     *Summary
}

type resticMessage struct {
	Type        string   `json:"message_type"`
	PercentDone float64  `json:"percent_done"`
	TotalFiles  int      `json:"total_files"`
	FilesDone   int      `json:"files_done"`
	TotalBytes  int64    `json:"total_bytes"`
	BytesDone   int64    `json:"bytes_done"`
	ErrorCount  int      `json:"error_count"`
	Current     []string `json:"current_files"`
	Item        string   `json:"item"`
	During      string   `json:"during"`
	Error       struct {
		Message string `json:"message"`
	} `json:"error"`
}

func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending = append(p.pending, b...)
	for {
		i := strings.IndexByte(string(p.pending), '\n')
		if i < 0 {
			break
		}
		p.line(string(p.pending[:i]))
		p.pending = p.pending[i+1:]
	}
	return len(b), nil
}

// Close handles an unterminated last line.
func (p *progress) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pending) > 0 {
		p.line(string(p.pending))
		p.pending = nil
	}
}

func (p *progress) line(line string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return
	}
	var m resticMessage
	if !strings.HasPrefix(line, "{") || json.Unmarshal([]byte(line), &m) != nil {
		p.r.Logf("%s: %s", p.set, line)
		return
	}
	switch m.Type {
	case "status":
		if t := p.now(); t.Sub(p.last) >= p.every || m.PercentDone >= 1 {
			p.last = t
			p.r.Logf("%s: %5.1f%%  %d/%d files  %s/%s", p.set, 100*m.PercentDone, m.FilesDone, m.TotalFiles, humanize.IBytes(uint64(m.BytesDone)), humanize.IBytes(uint64(m.TotalBytes)))
		}
	case "summary":
		var s Summary
		if err := json.Unmarshal([]byte(line), &s); err == nil {
			p.sum = &s
		}
	case "error":
		p.r.Logf("%s: error %s %s: %s", p.set, m.During, m.Item, m.Error.Message)
	}
}

func (p *progress) summary() (Summary, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sum == nil {
		return Summary{}, false
	}
	return *p.sum, true
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
