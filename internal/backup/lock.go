package backup

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
)

// Lock is one restic lock file as `restic cat lock` prints it.
type Lock struct {
	ID        string    `json:"-"`
	Time      time.Time `json:"time"`
	Exclusive bool      `json:"exclusive"`
	Hostname  string    `json:"hostname"`
	Username  string    `json:"username"`
	PID       int       `json:"pid"`
}

func (l Lock) String() string {
	kind := "shared"
	if l.Exclusive {
		kind = "exclusive"
	}
	return fmt.Sprintf("%s lock %.8s of pid %d on %s (%s) since %s", kind, l.ID, l.PID, l.Hostname, l.Username, l.Time.UTC().Format("2006-01-02 15:04:05 UTC"))
}

// locks lists the repository's locks without taking one.
func (j Job) locks(ctx context.Context) ([]Lock, error) {
	if err := j.checkMount(ctx); err != nil {
		return nil, err
	}
	res, err := j.Host.Run(ctx, command.Cmd{Args: j.restic("list", "locks", "--no-lock")})
	if err != nil {
		return nil, j.errf("list locks", classify(err))
	}
	var locks []Lock
	for id := range strings.FieldsSeq(string(res.Stdout)) {
		out, err := j.Host.Run(ctx, command.Cmd{Args: j.restic("cat", "lock", id, "--no-lock")})
		if err != nil {
			// Removed between the listing and now (its run ended): not a lock any more.
			continue
		}
		l := Lock{ID: id}
		if err := json.Unmarshal(out.Stdout, &l); err != nil {
			return nil, j.errf("cat lock "+id, fmt.Errorf("parsing restic cat lock: %w", err))
		}
		l.ID = id
		locks = append(locks, l)
	}
	return locks, nil
}

// UnlockResult is what Unlock removed and what it left.
type UnlockResult struct {
	Removed []Lock // stale: their process is gone (or they are older than restic's 30 minutes)
	Kept    []Lock // held by a live run, or by another host within the last 30 minutes
}

// Unlock removes the repository's stale locks and only those: `restic unlock` without
// --remove-all, which keeps every lock whose process still runs on this host (restic checks the
// pid when the lock's hostname is this host's) and every lock younger than 30 minutes of another
// host, whose process it cannot see. A killed backup's lock blocks check and prune (they need an
// exclusive lock); a live backup's must never be removed, or prune could delete data that
// backup is about to reference.
func (j Job) Unlock(ctx context.Context, r Reporter) (UnlockResult, error) {
	r.Phase(j.Set.Name + ": unlock")
	before, err := j.locks(ctx)
	if err != nil {
		return UnlockResult{}, err
	}
	if len(before) == 0 {
		return UnlockResult{}, nil
	}
	if _, err := j.Host.Run(ctx, command.Cmd{Args: j.restic("unlock")}); err != nil {
		return UnlockResult{}, j.errf("unlock", classify(err))
	}
	after, err := j.locks(ctx)
	if err != nil {
		return UnlockResult{}, err
	}
	var res UnlockResult
	for _, l := range before {
		if slices.ContainsFunc(after, func(a Lock) bool { return a.ID == l.ID }) {
			res.Kept = append(res.Kept, l)
			r.Logf("%s: kept %s: its run is alive (or on another host, less than 30 minutes old)", j.Set.Name, l)
		} else {
			res.Removed = append(res.Removed, l)
			r.Logf("%s: removed stale %s", j.Set.Name, l)
		}
	}
	return res, nil
}
