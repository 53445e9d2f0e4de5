package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
)

// RestoreOptions say what to restore where.
type RestoreOptions struct {
	Snapshot string // an ID (prefix) of the set's snapshots, or "latest"
	Path     string // restore only this path of the snapshot (and below); empty: everything
	Target   string // absolute directory on the host
	Force    bool   // allow a non-empty Target, whose files restic then overwrites
	// Exclude are restic --exclude patterns left out of the restore (a recovery keeps the
	// reinstalled host's new ssh host key when its secrets were re-keyed to it).
	Exclude []string
}

// errTargetNotEmpty is the refusal to restore over existing files.
var errTargetNotEmpty = errors.New("target directory is not empty: restoring would overwrite files (use -force, or pick an empty or new directory)")

// Restore restores a snapshot of the set (or one path of it) into a directory on the host.
func (j Job) Restore(ctx context.Context, r Reporter, o RestoreOptions) (Snapshot, error) {
	if !path.IsAbs(o.Target) {
		return Snapshot{}, j.errf("restore", fmt.Errorf("target %q must be an absolute path on the host", o.Target))
	}
	if o.Path != "" && !path.IsAbs(o.Path) {
		return Snapshot{}, j.errf("restore", fmt.Errorf("path %q must be an absolute path as stored in the snapshot", o.Path))
	}
	r.Phase(j.Set.Name + ": restore")
	snap, err := j.resolve(ctx, o.Snapshot)
	if err != nil {
		return Snapshot{}, err
	}
	// "ls -A" prints nothing for an empty or missing directory.
	entries, err := j.Host.Output(ctx, "sh", "-c", `if [ -e "$1" ] && [ ! -d "$1" ]; then echo "not a directory"; exit 3; fi; [ ! -d "$1" ] || ls -A -- "$1"`, "sh", o.Target)
	if err != nil {
		return Snapshot{}, j.errf("restore", fmt.Errorf("target %s: %w", o.Target, err))
	}
	if entries != "" && !o.Force {
		return Snapshot{}, j.errf("restore", fmt.Errorf("%s: %w", o.Target, errTargetNotEmpty))
	}
	args := []string{"restore", snap.ID, "--target", o.Target}
	if o.Path != "" {
		args = append(args, "--include", o.Path)
	}
	for _, x := range o.Exclude {
		args = append(args, "--exclude", x)
	}
	if _, err := j.Host.Run(ctx, command.Cmd{Args: j.restic(args...)}); err != nil {
		return snap, j.errf("restore", classify(err))
	}
	r.Logf("%s: restored snapshot %s (%s)%s into %s", j.Set.Name, snap.ShortID, snap.Time.Format("2006-01-02 15:04:05"), pathNote(o.Path), o.Target)
	return snap, nil
}

func pathNote(p string) string {
	if p == "" {
		return ""
	}
	return ", path " + p + ","
}

// PruneResult counts what a prune did.
type PruneResult struct {
	Kept, Removed int
}

// Prune forgets the set's snapshots of this host that its retention policy does not keep, then
// prunes the data only they referenced. Grouping by host and tag applies the policy per set, so
// a set whose paths changed is still one history.
func (j Job) Prune(ctx context.Context, r Reporter) (PruneResult, error) {
	r.Phase(j.Set.Name + ": forget")
	if err := j.checkMount(ctx); err != nil {
		return PruneResult{}, err
	}
	args := append([]string{"forget", "--json", "--group-by", "host,tags"}, j.filter()...)
	args = append(args, j.Set.Keep.Args()...)
	res, err := j.Host.Run(ctx, command.Cmd{Args: j.restic(args...)})
	if err != nil {
		return PruneResult{}, j.errf("forget", classify(err))
	}
	pr, err := parseForget(res.Stdout)
	if err != nil {
		return PruneResult{}, j.errf("forget", err)
	}
	r.Logf("%s: forget %s: kept %d, removed %d snapshots", j.Set.Name, strings.Join(j.Set.Keep.Args(), " "), pr.Kept, pr.Removed)
	if pr.Removed == 0 {
		return pr, nil
	}
	r.Phase(j.Set.Name + ": prune")
	res, err = j.Host.Run(ctx, command.Cmd{Args: j.restic("prune")})
	if err != nil {
		return pr, j.errf("prune", classify(err))
	}
	r.Logf("%s: prune: %s", j.Set.Name, lastLine(string(res.Stdout)))
	return pr, nil
}

func parseForget(out []byte) (PruneResult, error) {
	var groups []struct {
		Keep   []json.RawMessage `json:"keep"`
		Remove []json.RawMessage `json:"remove"`
	}
	// restic prints the JSON on one line; anything else on stdout is not ours to parse.
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, "[") {
			if err := json.Unmarshal([]byte(line), &groups); err != nil {
				return PruneResult{}, fmt.Errorf("parsing restic forget --json: %w", err)
			}
			var pr PruneResult
			for _, g := range groups {
				pr.Kept += len(g.Keep)
				pr.Removed += len(g.Remove)
			}
			return pr, nil
		}
	}
	return PruneResult{}, errors.New("restic forget --json printed no JSON")
}

// ReinstateSQLite puts the restored consistent copy of db (sqliteCopy) in place of the live
// database: copied beside it and renamed over it, with the live file's owner and mode (its
// directory's owner and 0600 when there is none), and the stale -wal, -shm and -journal
// removed, which would otherwise be replayed into the restored database. The application
// must not be running, or must be restarted before it writes again: recovery:host reboots the
// host afterwards.
func (j Job) ReinstateSQLite(ctx context.Context, db string) error {
	script := `set -e; copy=$1; db=$2; tmp="$db.hub-restore"
[ -f "$copy" ] || { echo "no restored copy $copy" >&2; exit 3; }
mkdir -p "$(dirname "$db")"
cp -- "$copy" "$tmp"
if [ -e "$db" ]; then chown --reference="$db" "$tmp"; chmod --reference="$db" "$tmp"; else chown --reference="$(dirname "$db")" "$tmp"; chmod 0600 "$tmp"; fi
rm -f -- "$db-wal" "$db-shm" "$db-journal"
mv -f -- "$tmp" "$db"`
	if _, err := j.Host.Run(ctx, command.Cmd{Args: []string{"sh", "-c", script, "sh", j.sqliteCopy(db), db}}); err != nil {
		return j.errf("sqlite "+db, err)
	}
	return nil
}
