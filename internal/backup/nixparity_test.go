package backup

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/nix"
)

// nixSh is backup-sets.nix's sh: single quotes, each ' as '\”.
func nixSh(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// modules/lib/backup-sets.nix re-implements in Nix what backup:run does over ssh (the timer's snapshots
// and the hub's must be the same thing). For every set of every host in hosts/, it is evaluated
// with the local nix (builtins only, from the raw host.toml) and compared with internal/backup's
// rules on the inventory's set (defaults applied in Go): paths with the SQLite copies, excludes
// with the live database files, tag and host, retention and the forget grouping, where each
// database's copy goes, the metric file.
func TestBackupSetsNixParity(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate not installed (Debian package nix-bin)")
	}
	fleet, err := inventory.Load("../../hosts")
	if err != nil {
		t.Fatal(err)
	}
	setsNix, err := filepath.Abs("../../modules/lib/backup-sets.nix")
	if err != nil {
		t.Fatal(err)
	}
	n := nix.On((&command.Executor{}).Local(), nix.Settings{})
	sets := 0
	for _, h := range fleet.Hosts {
		if len(h.Backups) == 0 {
			continue
		}
		file, err := filepath.Abs(h.File)
		if err != nil {
			t.Fatal(err)
		}
		expr := "import " + setsNix + " { host = builtins.fromTOML (builtins.readFile " + file + "); name = " + strconv.Quote(h.Name) + "; }"
		res, err := n.Instantiate(t.Context(), nil, "--eval", "--strict", "--json", "-E", expr)
		if err != nil {
			t.Fatalf("%s: %v", h.Name, err)
		}
		got := map[string]resticBackup{} // systemd_test.go's view of one entry
		if err := json.Unmarshal(res.Stdout, &got); err != nil {
			t.Fatalf("%s: %v", h.Name, err)
		}
		if len(got) != len(h.Backups) {
			t.Errorf("%s: backup-sets.nix has %d sets, the inventory %d", h.Name, len(got), len(h.Backups))
		}
		for _, set := range h.Backups {
			sets++
			j := Job{HostName: h.Name, Set: set}
			b, ok := got[h.Name+"-"+set.Name]
			if !ok {
				t.Errorf("%s: backup-sets.nix has no %s-%s", h.Name, h.Name, set.Name)
				continue
			}
			where := h.Name + " set " + set.Name
			args := j.backupArgs()
			dash := slices.Index(args, "--")
			if want := args[dash+1:]; !slices.Equal(b.Paths, want) {
				t.Errorf("%s: paths\n nix %q\n  go %q", where, b.Paths, want)
			}
			var excludes []string
			for i, a := range args[:dash] {
				if a == "--exclude" {
					excludes = append(excludes, args[i+1])
				}
			}
			if !slices.Equal(b.Exclude, excludes) {
				t.Errorf("%s: exclude\n nix %q\n  go %q", where, b.Exclude, excludes)
			}
			if want := []string{"--tag", j.tag(), "--host", j.HostName}; !slices.Equal(b.ExtraBackupArgs, want) {
				t.Errorf("%s: extraBackupArgs %q, want %q", where, b.ExtraBackupArgs, want)
			}
			if b.Repository != set.Repository || b.PasswordFile != set.PasswordFile {
				t.Errorf("%s: repository %q / password %q, want %q / %q", where, b.Repository, b.PasswordFile, set.Repository, set.PasswordFile)
			}
			// services.restic.backups joins pruneOpts with spaces into restic forget's flags.
			forget := append(set.Keep.Args(), "--group-by", "host,tags")
			forget = append(forget, "--tag", j.tag(), "--host", j.HostName)
			if got, want := strings.Fields(strings.Join(b.PruneOpts, " ")), forget; !slices.Equal(got, want) {
				t.Errorf("%s: pruneOpts %q, want the flags %q", where, b.PruneOpts, want)
			}
			for _, db := range set.SQLite {
				// backup-sets.nix quotes every word (its sh), so the line is exact.
				copy := j.sqliteCopy(db)
				if want := "mv -f -- " + nixSh(copy+".hub-tmp") + " " + nixSh(copy) + "\n"; b.Prepare == nil || !strings.Contains(*b.Prepare, want) {
					t.Errorf("%s: the prepare script has no line %q", where, want)
				}
			}
			if len(set.SQLite) == 0 && b.Prepare != nil {
				t.Errorf("%s: a prepare script without databases: %s", where, *b.Prepare)
			}
			if b.Cleanup == nil || !strings.Contains(*b.Cleanup, "/hub_backup_"+set.Name+".prom") {
				t.Errorf("%s: the cleanup script writes no hub_backup_%s.prom", where, set.Name)
			}
		}
	}
	if sets == 0 {
		t.Fatal("no host in hosts/ has a backup set: nothing was compared")
	}
	t.Logf("%d sets compared", sets)
}
