// Package backup runs restic on the hosts of the fleet: every command runs on the host itself
// over SSH (internal/command), against the repository and password file named by the host's
// [[backup]] sets in host.toml, so the hub never holds a repository password. Snapshots are
// tagged set:<name> and recorded under the inventory host name, which is how one repository can
// hold several sets and hosts and still be listed, checked, pruned and judged stale per set.
//
// Entry points: [NewJob] is one set of one host, whose methods back up, verify, restore, prune and
// unlock; [Each] runs a function for every set of the fleet through internal/parallel;
// [FleetStatus] says how fresh each set is, printed by [WriteStatus] or [WriteStatusJSON]
// ([StaleError] is the exit status); [Metric] and [VerifyMetric] are the textfile-collector lines
// a host keeps; [BundleRepo] is the verified git bundle of the hub's repository.
package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/sysdeps"
)

// tools are what the backup targets run on this machine (tests, local repositories) and, through
// the NixOS module, on every host.
var tools = []sysdeps.Tool{
	sysdeps.Restic,
	sysdeps.SQLite3,
	sysdeps.Git,
}

// Reporter is where progress goes; *parallel.Task is one.
type Reporter interface {
	Phase(name string)
	Logf(format string, args ...any)
	Set(key, value string)
}

// Job is one backup set of one host.
type Job struct {
	Host     *command.Host
	HostName string // the inventory name, recorded as the snapshots' host
	Set      inventory.BackupSet
}

// NewJob is the job for a set of an inventory host reached through e.
func NewJob(e *command.Executor, h *inventory.Host, set inventory.BackupSet) Job {
	return Job{Host: e.SSH(h.Name, h.SSH), HostName: h.Name, Set: set}
}

// tag marks the snapshots of a set.
func (j Job) tag() string { return "set:" + j.Set.Name }

// restic is the command line of a restic subcommand against the set's repository.
func (j Job) restic(args ...string) []string {
	return append([]string{"restic", "--repo", j.Set.Repository, "--password-file", j.Set.PasswordFile}, args...)
}

// filter selects the snapshots of this host and set.
func (j Job) filter() []string { return []string{"--host", j.HostName, "--tag", j.tag()} }

// errf wraps err with the host, the set and the step it failed in.
func (j Job) errf(step string, err error) error {
	return fmt.Errorf("host %s: set %s: %s: %w", j.HostName, j.Set.Name, step, err)
}

// Snapshot is one restic snapshot as `restic snapshots --json` lists it.
type Snapshot struct {
	ID       string    `json:"id"`
	ShortID  string    `json:"short_id"`
	Time     time.Time `json:"time"`
	Hostname string    `json:"hostname"`
	Paths    []string  `json:"paths"`
	Tags     []string  `json:"tags"`
}

// errNoRepository means the repository has not been initialised yet.
var errNoRepository = errors.New("no restic repository there (backup:run -init creates it)")

// errLocked means another restic holds a lock the command needs: a live run, or a stale lock a
// killed one left behind (backup:unlock removes stale locks, never a live run's).
var errLocked = errors.New("the repository is locked")

// errNotMounted means the set's backup disk is not mounted: nothing may be written to (or
// created at) its empty mount point on the root file system.
var errNotMounted = errors.New("not mounted: the backup disk is missing or failed, so nothing was read or written and no repository was created")

// classify turns restic's fatal messages into errors a user can act on.
func classify(err error) error {
	var xe *command.ExitError
	if !errors.As(err, &xe) {
		return err
	}
	switch {
	case strings.Contains(xe.Stderr, "unable to open config file") || strings.Contains(xe.Stderr, "Is there a repository at the following location"):
		return fmt.Errorf("%w: %w", errNoRepository, err)
	case strings.Contains(xe.Stderr, "wrong password"):
		return fmt.Errorf("wrong repository password (check the password file): %w", err)
	case strings.Contains(xe.Stderr, "repository is already locked"):
		return fmt.Errorf("%w (%s; backup:unlock removes a stale lock, never a live run's): %w", errLocked, lockHolder(xe.Stderr), err)
	}
	return err
}

// lockHolder is restic's description of who holds the lock ("by PID 42 on p510 by root ...",
// "lock was created at ..."), on one line.
func lockHolder(stderr string) string {
	var parts []string
	for line := range strings.Lines(stderr) {
		line = strings.TrimSpace(line)
		if _, by, ok := strings.Cut(line, "already locked "); ok {
			parts = append(parts, "held "+by)
		} else if strings.HasPrefix(line, "lock was created at") {
			parts = append(parts, strings.TrimPrefix(line, "lock was "))
		}
	}
	if len(parts) == 0 {
		return "by another restic"
	}
	return strings.Join(parts, ", ")
}

// checkMount fails with errNotMounted when the set names a backup disk that is not mounted. It
// runs before every command that touches a local repository: restic would otherwise report "no
// repository" for a missing disk, and -init (or a timer's initialize) would create a fresh one on
// the root file system, which the disk's loss or a reinstall takes with it.
func (j Job) checkMount(ctx context.Context) error {
	if j.Set.Mount == "" {
		return nil
	}
	_, err := j.Host.Run(ctx, command.Cmd{Args: []string{"mountpoint", "-q", "--", j.Set.Mount}})
	var xe *command.ExitError
	if errors.As(err, &xe) && (xe.ExitCode == 1 || xe.ExitCode == 32) {
		// mountpoint exits 1 for a directory that is not a mount point, 32 for a missing one.
		return j.errf("mount "+j.Set.Mount, errNotMounted)
	}
	if err != nil {
		return j.errf("mount "+j.Set.Mount, err)
	}
	return nil
}

// EnsureRepository initialises the repository when it does not exist yet and init is set.
func (j Job) EnsureRepository(ctx context.Context, init bool) (created bool, err error) {
	if err := j.checkMount(ctx); err != nil {
		return false, err
	}
	_, err = j.Host.Run(ctx, command.Cmd{Args: j.restic("cat", "config")})
	if err == nil {
		return false, nil
	}
	err = classify(err)
	if !errors.Is(err, errNoRepository) || !init {
		return false, j.errf("open repository "+j.Set.Repository, err)
	}
	if _, err := j.Host.Run(ctx, command.Cmd{Args: j.restic("init")}); err != nil {
		return false, j.errf("init repository "+j.Set.Repository, classify(err))
	}
	return true, nil
}

// Snapshots lists the set's snapshots of this host, oldest first.
func (j Job) Snapshots(ctx context.Context) ([]Snapshot, error) {
	if err := j.checkMount(ctx); err != nil {
		return nil, err
	}
	res, err := j.Host.Run(ctx, command.Cmd{Args: j.restic(append([]string{"snapshots", "--json"}, j.filter()...)...)})
	if err != nil {
		return nil, j.errf("snapshots", classify(err))
	}
	snaps, err := parseSnapshots(res.Stdout)
	if err != nil {
		return nil, j.errf("snapshots", err)
	}
	return snaps, nil
}

func parseSnapshots(out []byte) ([]Snapshot, error) {
	var snaps []Snapshot
	if err := json.Unmarshal(out, &snaps); err != nil {
		return nil, fmt.Errorf("parsing restic snapshots --json: %w", err)
	}
	return snaps, nil
}

// resolve turns "latest" (or an ID prefix) into one of the set's snapshots.
func (j Job) resolve(ctx context.Context, id string) (Snapshot, error) {
	snaps, err := j.Snapshots(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	if len(snaps) == 0 {
		return Snapshot{}, j.errf("snapshot "+id, errors.New("the set has no snapshots of this host"))
	}
	if id == "latest" || id == "" {
		return snaps[len(snaps)-1], nil
	}
	var found []Snapshot
	for _, s := range snaps {
		if strings.HasPrefix(s.ID, id) {
			found = append(found, s)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return Snapshot{}, j.errf("snapshot "+id, errors.New("no such snapshot of this host and set (backup:snapshots lists them)"))
	default:
		return Snapshot{}, j.errf("snapshot "+id, fmt.Errorf("ambiguous: %d snapshots start with it", len(found)))
	}
}
