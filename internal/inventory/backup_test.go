package inventory

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestBackupSetsDecode(t *testing.T) {
	dir := writeFleet(t, map[string]string{
		"media/host.toml": goodHost + `
[[backup]]
name = "system"
paths = ["/etc", "/var/lib/nixos"]
repository = "/mnt/backup/restic"
mount = "/mnt/backup"
password_file = "/run/agenix/restic-password"
keep_daily = 7
keep_weekly = 4

[[backup]]
name = "media"
paths = ["/var/lib/sonarr", "/var/lib/plex"]
exclude = ["*.log", "/var/lib/plex/Cache"]
repository = "sftp:backup@nas:/restic/media"
password_file = "/run/agenix/restic-password"
copy = "rest:https://offsite.example:8000/media"
copy_password_file = "/run/agenix/restic-offsite"
keep_last = 3
keep_monthly = 6
max_age = "50h"
sqlite = ["/var/lib/sonarr/sonarr.db"]
sqlite_dir = "/var/backup/sqlite"
state_dir = "/var/backup/hub"
`,
	})
	f, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := f.Host("media")
	want := []BackupSet{
		{Name: "system", Paths: []string{"/etc", "/var/lib/nixos"}, Repository: "/mnt/backup/restic", Mount: "/mnt/backup",
			PasswordFile: "/run/agenix/restic-password", Keep: Retention{Daily: 7, Weekly: 4},
			MaxAge: DefaultBackupMaxAge, SQLiteDir: "/var/lib/hub-backup/system/sqlite", StateDir: "/var/lib/hub-backup/system", Line: 8},
		{Name: "media", Paths: []string{"/var/lib/sonarr", "/var/lib/plex"}, Exclude: []string{"*.log", "/var/lib/plex/Cache"},
			Repository: "sftp:backup@nas:/restic/media", PasswordFile: "/run/agenix/restic-password",
			Copy: "rest:https://offsite.example:8000/media", CopyPasswordFile: "/run/agenix/restic-offsite",
			Keep: Retention{Last: 3, Monthly: 6}, MaxAge: 50 * time.Hour,
			SQLite: []string{"/var/lib/sonarr/sonarr.db"}, SQLiteDir: "/var/backup/sqlite", StateDir: "/var/backup/hub", Line: 17},
	}
	if !reflect.DeepEqual(h.Backups, want) {
		t.Errorf("Backups:\n got %+v\nwant %+v", h.Backups, want)
	}
	if s, ok := h.Backup("media"); !ok || s.Repository != "sftp:backup@nas:/restic/media" {
		t.Errorf("Backup(media) = %+v, %v", s, ok)
	}
	if _, ok := h.Backup("nope"); ok {
		t.Error("Backup(nope) found a set")
	}
}

func TestRetentionArgs(t *testing.T) {
	for _, tc := range []struct {
		r    Retention
		want []string
	}{
		{Retention{Daily: 7}, []string{"--keep-daily", "7"}},
		{Retention{Last: 1, Hourly: 2, Daily: 3, Weekly: 4, Monthly: 5, Yearly: 6}, []string{"--keep-last", "1",
			"--keep-hourly", "2", "--keep-daily", "3", "--keep-weekly", "4", "--keep-monthly", "5", "--keep-yearly", "6"}},
		{Retention{}, nil},
	} {
		if got := tc.r.Args(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v.Args() = %q, want %q", tc.r, got, tc.want)
		}
	}
}

// Every bad backup table is reported with file, line and field; lines count from the start of
// host.toml, where goodHost takes lines 1-6.
func TestBackupSetsInvalid(t *testing.T) {
	const set = `
[[backup]]
name = "system"
paths = ["/etc"]
repository = "/srv/restic"
password_file = "/run/agenix/restic-password"
keep_daily = 7
mount = "/srv"
`
	for _, tc := range []struct {
		name, toml, want string
	}{
		{"unknown key", strings.Replace(set, "keep_daily", "keep_dialy", 1), "host.toml:13: backup.keep_dialy: unknown key"},
		{"missing name", strings.Replace(set, `name = "system"`, "", 1), `host.toml:8: backup[0].name: missing`},
		{"bad name", strings.Replace(set, `"system"`, `"Sys tem"`, 1), `host.toml:9: backup[0].name: "Sys tem" must match`},
		{"duplicate name", set + set, `host.toml:17: backup[1].name: "system" is the name of another backup set`},
		{"no repository", strings.Replace(set, `repository = "/srv/restic"`, "", 1), "host.toml:8: backup[0].repository: missing"},
		{"relative password file", strings.Replace(set, `"/run/agenix/restic-password"`, `"restic-password"`, 1),
			`host.toml:12: backup[0].password_file: "restic-password" must be an absolute path`},
		{"no paths", strings.Replace(set, `paths = ["/etc"]`, "paths = []", 1), "host.toml:10: backup[0].paths: missing: at least one path"},
		{"relative path", strings.Replace(set, `["/etc"]`, `["/etc", "var/lib"]`, 1), `host.toml:10: backup[0].paths: paths[1] "var/lib" must be an absolute, clean path`},
		{"unclean sqlite", set + `sqlite = ["/var/lib/../x.db"]`, `host.toml:15: backup[0].sqlite: sqlite[0] "/var/lib/../x.db" must be an absolute, clean path`},
		{"negative keep", strings.Replace(set, "keep_daily = 7", "keep_daily = 7\nkeep_weekly = -1", 1), "host.toml:14: backup[0].keep_weekly: must not be negative"},
		{"no retention", strings.Replace(set, "keep_daily = 7", "", 1), "host.toml:8: backup[0].keep_daily: no retention"},
		{"bad max age", set + `max_age = "daily"`, `host.toml:15`},
		// A repository on the host's own disk dies with it: a local path needs the backup disk's mount.
		{"local repository without mount", strings.Replace(set, `mount = "/srv"`, "", 1),
			`host.toml:11: backup[0].repository: "/srv/restic" is a path on the host's own disk, which a failed or reinstalled disk takes with it: name the backup disk's mount point in mount`},
		{"repository outside mount", strings.Replace(set, `mount = "/srv"`, `mount = "/mnt/backup"`, 1),
			`host.toml:11: backup[0].repository: "/srv/restic" is not below mount "/mnt/backup"`},
		{"scp-like path is local", strings.Replace(set, `"/srv/restic"`, `"nas:/restic"`, 1), `backup[0].repository: "nas:/restic" is not below mount "/srv"`},
		{"mount prefix is not a parent", strings.Replace(set, `mount = "/srv"`, `mount = "/sr"`, 1), `is not below mount "/sr"`},
		{"mount is root", strings.Replace(set, `mount = "/srv"`, `mount = "/"`, 1), `host.toml:14: backup[0].mount: "/" must be the absolute, clean mount point`},
		{"mount on a remote repository", strings.Replace(set, `"/srv/restic"`, `"sftp:nas:/restic"`, 1), `host.toml:14: backup[0].mount: set, but repository "sftp:nas:/restic" is not a path on the host`},
		{"local copy", set + `copy = "/srv/copy"`, `host.toml:15: backup[0].copy: "/srv/copy" is a path on the host: the second copy is the one that survives the host`},
		{"copy is the repository", strings.Replace(set, `"/srv/restic"`, `"sftp:nas:/r"`, 1) + `copy = "sftp:nas:/r"`, `backup[0].copy: "sftp:nas:/r" is the repository itself`},
		{"relative copy password", set + "copy = \"sftp:nas:/r\"\ncopy_password_file = \"pw\"", `host.toml:16: backup[0].copy_password_file: "pw" must be an absolute path`},
		{"relative state dir", set + `state_dir = "hub"`, `host.toml:15: backup[0].state_dir: "hub" must be an absolute path`},
		{"wrong type", strings.Replace(set, `paths = ["/etc"]`, `paths = "/etc"`, 1), `host.toml`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loadFails(t, map[string]string{"h/host.toml": goodHost + tc.toml}, tc.want)
		})
	}
}

// The restic feature and [[backup]] sets go together, in both directions; each mismatch is one
// line naming the host.toml.
func TestCheckBackupFeature(t *testing.T) {
	set := `
[[backup]]
name = "system"
paths = ["/etc/ssh"]
repository = "/mnt/backup/restic"
mount = "/mnt/backup"
password_file = "/run/agenix/restic-password"
keep_daily = 7
`
	dir := writeFleet(t, map[string]string{
		"feature-only/host.toml": goodHost + "features = [\"tmux\", \"restic\"]\n",
		"sets-only/host.toml":    goodHost + "features = [\"tmux\"]\n" + set,
		"both/host.toml":         goodHost + "features = [\"restic\"]\n" + set,
		"neither/host.toml":      goodHost,
	})
	f, err := Load(dir) // Load accepts both: the local fleet copies features without sets
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range f.CheckBackupFeature() {
		got = append(got, strings.ReplaceAll(e.Error(), dir, "DIR"))
	}
	want := []string{
		`DIR/feature-only/host.toml:7: features: feature "restic" is enabled but there is no [[backup]] set: add one (docs/backup.md) or remove "restic"`,
		`DIR/sets-only/host.toml:9: backup: [[backup]] sets need feature "restic" in features: without it nothing runs them on the host`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Every host of the repository that enables restic has a set, and every set has the feature.
func TestRepositoryBackupFeature(t *testing.T) {
	f, err := Load("../../hosts")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range f.CheckBackupFeature() {
		t.Error(e)
	}
}

// restic reads a location without a backend prefix as a path: so does the inventory, and such
// a path must be on a backup disk like any other.
func TestLocalRepository(t *testing.T) {
	for repo, local := range map[string]bool{
		"/mnt/backup/restic": true, "local:/mnt/backup/restic": true, "restic": true, "nas:/restic": true,
		"backup@nas:/restic": true, "sftp:backup@nas:/restic": false, "rest:http://127.0.0.1:8000/": false,
		"s3:s3.amazonaws.com/bucket": false, "b2:bucket:path": false, "rclone:remote:path": false,
		"azure:container:/": false, "gs:bucket:/": false, "swift:container:/": false,
	} {
		if got := localRepository(repo); got != local {
			t.Errorf("LocalRepository(%q) = %v, want %v", repo, got, local)
		}
	}
}

// PickBackup is what backup:restore asks: the named set, or the only one; each error lists the sets.
func TestPickBackup(t *testing.T) {
	one := &Host{Name: "hp", Backups: []BackupSet{{Name: "system"}}}
	two := &Host{Name: "p510", Backups: []BackupSet{{Name: "system"}, {Name: "media"}}}
	none := &Host{Name: "razer"}
	for _, tt := range []struct {
		h          *Host
		name, want string
		err        string
	}{
		{one, "", "system", ""},
		{two, "media", "media", ""},
		{two, "", "", "host p510 has 2 backup sets (system, media): name one with -set"},
		{none, "", "", "host razer has 0 backup sets (): name one with -set"},
		{one, "media", "", `host hp has no backup set "media" (sets: system)`},
	} {
		s, err := tt.h.PickBackup(tt.name)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s PickBackup(%q) err = %v, want %s", tt.h.Name, tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || s.Name != tt.want {
			t.Errorf("%s PickBackup(%q) = %q, %v; want %q", tt.h.Name, tt.name, s.Name, err, tt.want)
		}
	}
}
