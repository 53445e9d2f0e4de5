//go:build mage

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/internal/backup"
	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/parallel"
	"github.com/nixos-hub/hub/internal/runenv"
)

// Backup runs restic on the hosts ([[backup]] sets in host.toml, docs/backup.md) and backs up
// this repository itself.
type Backup mg.Namespace

// backupEach runs fn for the selected sets of the selected hosts and prints the run's report.
func backupEach(ctx context.Context, env runenv.Env, name, selection string, set *string,
	fn func(ctx context.Context, t *parallel.Task, j backup.Job) error) error {
	ctx, stop := interruptible(ctx)
	defer stop()
	_, hosts, err := env.Select(selection)
	if err != nil {
		return err
	}
	e := env.Executor()
	defer e.Close()
	rep, err := backup.Each(ctx, e, hosts, flag(set, ""), parallel.Options{Name: name, KeepGoing: true,
		Out: env.Out.Progress(), RunDir: runsDir}, fn)
	return env.Out.Report(rep, err)
}

// Run backs up the SELECTION's sets (-set NAME for one) with restic on each host, in parallel: SQLite copies first, live progress, a summary per host; -init creates missing repositories, -textfile DIR overrides the metric directory ("-" for none).
func (Backup) Run(ctx context.Context, selection string, set *string, init *bool, textfile *string, json *bool, dry *bool) error {
	env := runEnv(json, dry)
	return backupEach(ctx, env, "backup-run", selection, set, func(ctx context.Context, t *parallel.Task, j backup.Job) error {
		sum, err := j.Backup(ctx, t, backup.Options{Init: flag(init, false), TextfileDir: flag(textfile, "")})
		if err != nil {
			return err
		}
		t.Set(j.Set.Name, fmt.Sprintf("%s +%dnew ~%dchanged %dB added", sum.SnapshotID, sum.FilesNew, sum.FilesChanged, sum.DataAdded))
		return nil
	})
}

// Snapshots lists the snapshots of the SELECTION's sets (-set NAME for one).
func (Backup) Snapshots(ctx context.Context, selection string, set *string) error {
	env := runEnv(nil, nil)
	return backupEach(ctx, env, "backup-snapshots", selection, set, func(ctx context.Context, t *parallel.Task, j backup.Job) error {
		t.Phase(j.Set.Name)
		snaps, err := j.Snapshots(ctx)
		if err != nil {
			return err
		}
		for _, s := range snaps {
			t.Logf("%s  %s  %s  %v", j.Set.Name, s.ShortID, s.Time.Local().Format("2006-01-02 15:04:05"), s.Paths)
		}
		t.Set(j.Set.Name, fmt.Sprintf("%d snapshots", len(snaps)))
		return nil
	})
}

// Verify proves the SELECTION's sets restorable: restic check reading the next 1/20 of the pack files in turn (every pack within 20 runs; -subset S reads S instead), then -sample N files (default 20) of the latest snapshot restored and compared by SHA-256 with their source; a locked repository is reported as locked, not damaged.
func (Backup) Verify(ctx context.Context, selection string, set *string, subset *string, sample *int) error {
	env := runEnv(nil, nil)
	return backupEach(ctx, env, "backup-verify", selection, set, func(ctx context.Context, t *parallel.Task, j backup.Job) error {
		vr, err := j.Verify(ctx, t, backup.VerifyOptions{ReadDataSubset: flag(subset, ""), Sample: flag(sample, 0)})
		// The outcome, passed or failed, is a metric on the host for the BackupVerifyFailed alert.
		if rerr := j.RecordVerify(ctx, "", time.Now(), err); rerr != nil {
			t.Logf("%s: recording the outcome for node_exporter: %v", j.Set.Name, rerr)
		}
		if err != nil {
			return err
		}
		t.Set(j.Set.Name, fmt.Sprintf("read %s, %d files identical", vr.Subset, vr.Checked))
		return nil
	})
}

// Unlock removes the stale restic locks (a killed run's) of the SELECTION's repositories and keeps every live run's, listing both.
func (Backup) Unlock(ctx context.Context, selection string, set *string) error {
	env := runEnv(nil, nil)
	return backupEach(ctx, env, "backup-unlock", selection, set, func(ctx context.Context, t *parallel.Task, j backup.Job) error {
		res, err := j.Unlock(ctx, t)
		if err != nil {
			return err
		}
		t.Set(j.Set.Name, fmt.Sprintf("removed %d stale, kept %d live", len(res.Removed), len(res.Kept)))
		return nil
	})
}

// Copy copies the SELECTION's snapshots of each set with a copy repository (host.toml copy) that it lacks, with restic copy; -init creates a missing copy repository.
func (Backup) Copy(ctx context.Context, selection string, set *string, init *bool) error {
	env := runEnv(nil, nil)
	return backupEach(ctx, env, "backup-copy", selection, set, func(ctx context.Context, t *parallel.Task, j backup.Job) error {
		if j.Set.Copy == "" {
			t.Logf("%s: no copy repository in host.toml", j.Set.Name)
			return nil
		}
		t.Phase(j.Set.Name + ": copy")
		n, err := j.Copy(ctx, t, flag(init, false))
		if err != nil {
			return err
		}
		t.Set(j.Set.Name, fmt.Sprintf("%d copied to %s", n, j.Set.Copy))
		return nil
	})
}

// Restore restores SNAPSHOT (an ID or "latest") of HOST's -set (needed when it has several) into -target DIR on the host, only -path P when given; refuses a non-empty target unless -force.
func (Backup) Restore(ctx context.Context, host, snapshot string, set *string, path *string, target *string, force *bool) error {
	env := runEnv(nil, nil)
	if flag(target, "") == "" {
		return errors.New("backup:restore needs -target DIR (a directory on the host; restoring in place is a choice to make explicitly: -target / -force)")
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	_, h, err := env.Host(host)
	if err != nil {
		return err
	}
	s, err := h.PickBackup(flag(set, ""))
	if err != nil {
		return err
	}
	e := env.Executor()
	defer e.Close()
	j := backup.NewJob(e, h, s)
	_, err = j.Restore(ctx, printer{}, backup.RestoreOptions{Snapshot: snapshot, Path: flag(path, ""), Target: *target, Force: flag(force, false)})
	return err
}

// Prune forgets the SELECTION's snapshots beyond each set's keep_* policy and prunes the data only they used.
func (Backup) Prune(ctx context.Context, selection string, set *string) error {
	env := runEnv(nil, nil)
	return backupEach(ctx, env, "backup-prune", selection, set, func(ctx context.Context, t *parallel.Task, j backup.Job) error {
		pr, err := j.Prune(ctx, t)
		if err != nil {
			return err
		}
		t.Set(j.Set.Name, fmt.Sprintf("kept %d, removed %d", pr.Kept, pr.Removed))
		return nil
	})
}

// Status shows the age of the last snapshot of every set of the SELECTION (-json: an array with each set's state and exit code); exits with the worst state's code: 2 stale (older than max_age), 3 future, 4 never, 5 locked, 6 no-disk, 7 unreadable, 8 missing (a snapshot the retention keeps was deleted; -accept after a deliberate forget).
func (Backup) Status(ctx context.Context, selection string, set *string, json *bool, accept *bool) error {
	env := runEnv(json, nil)
	ctx, stop := interruptible(ctx)
	defer stop()
	_, hosts, err := env.Select(selection)
	if err != nil {
		return err
	}
	e := env.Executor()
	defer e.Close()
	rows, _, err := backup.FleetStatus(ctx, e, hosts, flag(set, ""), time.Now(), flag(accept, false), parallel.Options{Name: "backup-status", Out: os.Stderr})
	if err != nil {
		return err
	}
	if env.Out.JSON {
		err = backup.WriteStatusJSON(os.Stdout, rows)
	} else {
		fmt.Println()
		err = backup.WriteStatus(os.Stdout, rows)
	}
	if err != nil {
		return err
	}
	// Returned as it is: mage exits with a *StatusError's ExitStatus only when it is the error
	// itself, not wrapped.
	if err := backup.StaleError(rows); err != nil {
		return err
	}
	return nil
}

// Repo writes a git bundle of this repository (every ref) into -out DIR (default .hub/backups), verified with git bundle verify; restore with git clone FILE.
func (Backup) Repo(ctx context.Context, out *string) error {
	b, err := backup.BundleRepo(ctx, (&command.Executor{}).Local(), ".", flag(out, ".hub/backups"), time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("bundle %s\n  refs   %d\n  size   %d bytes\n  sha256 %s\nverified with git bundle verify; restore with: git clone %s hub\n", b.Path, b.Refs, b.Size, b.SHA256, b.Path)
	return nil
}

// printer shows a single-host operation's progress on stdout.
type printer struct{}

func (printer) Phase(name string)               { fmt.Printf("== %s\n", name) }
func (printer) Logf(format string, args ...any) { fmt.Printf(format+"\n", args...) }
func (printer) Set(key, value string)           {}
