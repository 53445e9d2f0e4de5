package inventory

import (
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"time"
)

// backupFeature is the feature (modules/features.toml) that runs a host's [[backup]] sets: its
// module turns each set into a restic timer and installs restic, which backup:* runs over SSH.
const backupFeature = "restic"

// backupStateDir holds what the hub keeps on a host per set, in <dir>/<set>/ (state_dir's and
// sqlite_dir's defaults).
const backupStateDir = "/var/lib/hub-backup"

// DefaultBackupMaxAge is how old the newest snapshot of a set may get before backup:status calls
// it stale: a daily timer plus slack for a late or slow run.
const DefaultBackupMaxAge = 26 * time.Hour

// BackupSet is one restic backup of a host: what to save, where, and how long to keep it. The
// NixOS module maps the same table onto services.restic.backups.<name>.
type BackupSet struct {
	Name         string
	Paths        []string // absolute paths on the host
	Exclude      []string // restic --exclude patterns
	Repository   string   // restic repository as the host sees it: a path, sftp:, rest:, s3:...
	PasswordFile string   // on the host, typically an agenix secret such as /run/agenix/restic-password
	// Mount is the mount point of the disk a local (path) Repository lives on. A repository path
	// on the host's own root file system dies with the disk it protects (and the installer
	// repartitions it), so a local repository needs one; it is checked to be mounted before
	// every run, and a missing disk fails the run instead of receiving a new repository.
	Mount string
	// Copy is a second repository the set's snapshots are copied to (restic copy) after each
	// backup: one that is not on this host, for the sets whose loss would hurt. Empty: none.
	Copy             string
	CopyPasswordFile string // on the host; empty: PasswordFile
	Keep             Retention
	MaxAge           time.Duration // older newest snapshot: stale
	// SQLite are live databases copied with SQLite's online backup before each run; the copies
	// land under SQLiteDir and are saved instead of the live files, which are excluded.
	SQLite    []string
	SQLiteDir string
	// StateDir is where the hub keeps the set's records on the host: the snapshots backup:status
	// has seen (so a deleted one is noticed) and backup:verify's rotation. Default
	// backupStateDir/<name>.
	StateDir string
	Line     int // the line of the set's [[backup]] header, for messages
}

// Retention is restic's forget policy; zero fields are not passed.
type Retention struct {
	Last, Hourly, Daily, Weekly, Monthly, Yearly int
}

// Args renders the policy as restic forget flags.
func (r Retention) Args() []string {
	var args []string
	for _, k := range []struct {
		flag string
		n    int
	}{{"--keep-last", r.Last}, {"--keep-hourly", r.Hourly}, {"--keep-daily", r.Daily},
		{"--keep-weekly", r.Weekly}, {"--keep-monthly", r.Monthly}, {"--keep-yearly", r.Yearly}} {
		if k.n > 0 {
			args = append(args, k.flag, fmt.Sprint(k.n))
		}
	}
	return args
}

// Backup returns the host's set with that name.
func (h *Host) Backup(name string) (BackupSet, bool) {
	for _, s := range h.Backups {
		if s.Name == name {
			return s, true
		}
	}
	return BackupSet{}, false
}

// PickBackup is the set a person named, or with an empty name the host's only set; the errors
// say what to name.
func (h *Host) PickBackup(name string) (BackupSet, error) {
	if name == "" {
		if len(h.Backups) == 1 {
			return h.Backups[0], nil
		}
		return BackupSet{}, fmt.Errorf("host %s has %d backup sets (%s): name one with -set", h.Name, len(h.Backups), strings.Join(h.backupNames(), ", "))
	}
	if s, ok := h.Backup(name); ok {
		return s, nil
	}
	return BackupSet{}, fmt.Errorf("host %s has no backup set %q (sets: %s)", h.Name, name, strings.Join(h.backupNames(), ", "))
}

func (h *Host) backupNames() []string {
	names := make([]string, len(h.Backups))
	for i, s := range h.Backups {
		names[i] = s.Name
	}
	return names
}

type rawBackup struct {
	Name         string    `toml:"name"`
	Paths        []string  `toml:"paths"`
	Exclude      []string  `toml:"exclude"`
	Repository   string    `toml:"repository"`
	PasswordFile string    `toml:"password_file"`
	Mount        string    `toml:"mount"`
	Copy         string    `toml:"copy"`
	CopyPassword string    `toml:"copy_password_file"`
	KeepLast     *int      `toml:"keep_last"`
	KeepHourly   *int      `toml:"keep_hourly"`
	KeepDaily    *int      `toml:"keep_daily"`
	KeepWeekly   *int      `toml:"keep_weekly"`
	KeepMonthly  *int      `toml:"keep_monthly"`
	KeepYearly   *int      `toml:"keep_yearly"`
	MaxAge       *duration `toml:"max_age"`
	SQLite       []string  `toml:"sqlite"`
	SQLiteDir    string    `toml:"sqlite_dir"`
	StateDir     string    `toml:"state_dir"`
}

func backupSets(raw []rawBackup) []BackupSet {
	var sets []BackupSet
	for _, r := range raw {
		v := func(p *int) int {
			if p == nil {
				return 0
			}
			return *p
		}
		s := BackupSet{Name: r.Name, Paths: r.Paths, Exclude: r.Exclude, Repository: r.Repository,
			PasswordFile: r.PasswordFile, Mount: r.Mount, Copy: r.Copy, CopyPasswordFile: r.CopyPassword, StateDir: r.StateDir, MaxAge: DefaultBackupMaxAge, SQLite: r.SQLite, SQLiteDir: r.SQLiteDir,
			Keep: Retention{Last: v(r.KeepLast), Hourly: v(r.KeepHourly), Daily: v(r.KeepDaily),
				Weekly: v(r.KeepWeekly), Monthly: v(r.KeepMonthly), Yearly: v(r.KeepYearly)}}
		if r.MaxAge != nil {
			s.MaxAge = r.MaxAge.Duration
		}
		if s.CopyPasswordFile == "" && s.Copy != "" {
			s.CopyPasswordFile = s.PasswordFile
		}
		if s.StateDir == "" && s.Name != "" {
			s.StateDir = path.Join(backupStateDir, s.Name)
		}
		if s.SQLiteDir == "" && s.Name != "" {
			s.SQLiteDir = path.Join(backupStateDir, s.Name, "sqlite")
		}
		sets = append(sets, s)
	}
	return sets
}

func (h *Host) validateBackups() []error {
	var errs []error
	seen := map[string]bool{}
	for i := range h.Backups {
		s := &h.Backups[i]
		s.Line = findNthTable(h.File, "backup", i)
		bad := tableReporter(h.File, "backup", i, s.Line, &errs)
		switch {
		case s.Name == "":
			bad("name", "missing (a name such as \"system\" or \"media\")")
		case !nameRe.MatchString(s.Name):
			bad("name", "%q must match %s", s.Name, nameRe)
		case seen[s.Name]:
			bad("name", "%q is the name of another backup set of this host", s.Name)
		}
		seen[s.Name] = true
		switch {
		case s.Repository == "":
			bad("repository", "missing (a path on the host below mount, or sftp:, rest:, s3: ...)")
		case localRepository(s.Repository) && s.Mount == "":
			bad("repository", "%q is a path on the host's own disk, which a failed or reinstalled disk takes with it: name the backup disk's mount point in mount (checked mounted before every run), or use a remote repository (sftp:, rest:, s3: ...)", s.Repository)
		case localRepository(s.Repository) && !below(s.Repository, s.Mount):
			bad("repository", "%q is not below mount %q, so the mount check would not protect it", s.Repository, s.Mount)
		}
		if s.Mount != "" && (!path.IsAbs(s.Mount) || path.Clean(s.Mount) != s.Mount || s.Mount == "/") {
			bad("mount", "%q must be the absolute, clean mount point of the backup disk (not /)", s.Mount)
		}
		if s.Mount != "" && !localRepository(s.Repository) && s.Repository != "" {
			bad("mount", "set, but repository %q is not a path on the host: nothing would be checked", s.Repository)
		}
		switch {
		case s.Copy == "":
		case localRepository(s.Copy):
			bad("copy", "%q is a path on the host: the second copy is the one that survives the host, so put it on another machine (sftp:, rest:, s3: ...)", s.Copy)
		case s.Copy == s.Repository:
			bad("copy", "%q is the repository itself", s.Copy)
		}
		if s.Copy != "" && !path.IsAbs(s.CopyPasswordFile) {
			bad("copy_password_file", "%q must be an absolute path on the host", s.CopyPasswordFile)
		}
		if !path.IsAbs(s.PasswordFile) {
			bad("password_file", "%q must be an absolute path on the host (e.g. /run/agenix/restic-password)", s.PasswordFile)
		}
		if len(s.Paths) == 0 {
			bad("paths", "missing: at least one path to back up")
		}
		for j, p := range s.Paths {
			if !path.IsAbs(p) || path.Clean(p) != p {
				bad("paths", "paths[%d] %q must be an absolute, clean path", j, p)
			}
		}
		for j, p := range s.SQLite {
			if !path.IsAbs(p) || path.Clean(p) != p {
				bad("sqlite", "sqlite[%d] %q must be an absolute, clean path to a database", j, p)
			}
		}
		if !path.IsAbs(s.SQLiteDir) || strings.ContainsAny(s.SQLiteDir, "\n") {
			bad("sqlite_dir", "%q must be an absolute path", s.SQLiteDir)
		}
		if !path.IsAbs(s.StateDir) || strings.ContainsAny(s.StateDir, "\n") {
			bad("state_dir", "%q must be an absolute path", s.StateDir)
		}
		for _, k := range []struct {
			key string
			n   int
		}{{"keep_last", s.Keep.Last}, {"keep_hourly", s.Keep.Hourly}, {"keep_daily", s.Keep.Daily},
			{"keep_weekly", s.Keep.Weekly}, {"keep_monthly", s.Keep.Monthly}, {"keep_yearly", s.Keep.Yearly}} {
			if k.n < 0 {
				bad(k.key, "must not be negative")
			}
		}
		// Without any keep_* a forget would have no policy: restic refuses, and a prune would
		// never free anything.
		if s.Keep == (Retention{}) {
			bad("keep_daily", "no retention: set at least one of keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly, keep_yearly")
		}
	}
	return errs
}

// CheckBackupFeature reports the hosts whose [[backup]] sets and restic feature disagree, one
// located error each: the feature without a set backs up nothing, sets without the feature have
// no timer and no restic on the host. It is not part of Load, which also reads inventories that
// copy a host's features without its sets (the local fleet's); hosts:check and features:check
// run it on the repository. A feature pulled in only by another one's requires is not seen here:
// the restic module asserts the same on the final configuration.
func (f *Fleet) CheckBackupFeature() []error {
	var errs []error
	for _, h := range f.Hosts {
		if err := h.checkBackupFeature(); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func (h *Host) checkBackupFeature() error {
	listed := slices.Contains(h.Features, backupFeature)
	switch {
	case listed && len(h.Backups) == 0:
		return &Error{File: h.File, Line: findLine(h.File, []string{"features"}), Field: "features",
			Msg: fmt.Sprintf("feature %q is enabled but there is no [[backup]] set: add one (docs/backup.md) or remove %q", backupFeature, backupFeature)}
	case !listed && len(h.Backups) > 0:
		return &Error{File: h.File, Line: h.Backups[0].Line, Field: "backup",
			Msg: fmt.Sprintf("[[backup]] sets need feature %q in features: without it nothing runs them on the host", backupFeature)}
	}
	return nil
}

// resticBackends are the location prefixes of restic's remote backends (restic's
// internal/location): anything else, "local:" included, is a path on the host.
var resticBackends = []string{"azure:", "b2:", "gs:", "rclone:", "rest:", "s3:", "sftp:", "swift:"}

// localRepository reports whether a restic repository location is a path on the host itself
// rather than a backend: restic's own rule is that a location without a backend prefix is a
// local path, so "nas:/restic" (which looks like scp) is a directory named "nas:" on the host.
func localRepository(repo string) bool {
	for _, b := range resticBackends {
		if strings.HasPrefix(repo, b) {
			return false
		}
	}
	return true
}

// below reports whether p is dir or inside it (both clean absolute paths, p maybe "local:").
func below(p, dir string) bool {
	p = path.Clean(strings.TrimPrefix(p, "local:"))
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// tableReporter reports problems of the i-th [[table]] of file into errs: each at its key's line
// (the table's header line when the key is not written) with field table[i].key.
func tableReporter(file, table string, i, header int, errs *[]error) func(key, format string, args ...any) {
	return func(key, format string, args ...any) {
		line := findKeyInNthTable(file, table, i, key)
		if line == 0 {
			line = header
		}
		*errs = append(*errs, &Error{File: file, Line: line, Field: fmt.Sprintf("%s[%d].%s", table, i, key), Msg: fmt.Sprintf(format, args...)})
	}
}

// findKeyInNthTable locates key inside the n-th [[name]] table; 0 when it is not there.
func findKeyInNthTable(file, name string, n int, key string) int {
	start := findNthTable(file, name, n)
	if start == 0 {
		return 0
	}
	lines := readLines(file)
	for i := start; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if strings.HasPrefix(line, "[") {
			return 0
		}
		if k, _, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == key {
			return i + 1
		}
	}
	return 0
}

func readLines(file string) []string {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	return strings.Split(string(data), "\n")
}
