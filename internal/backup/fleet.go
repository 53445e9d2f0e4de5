package backup

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/parallel"
)

// Each runs fn for every backup set of every host (only the set named set, when not empty),
// hosts in parallel through internal/parallel and a host's sets one after the other: two restic runs
// against one repository from one host would only wait for each other's lock. A host without a
// matching set ends "skipped"; a set name no selected host has is an error before anything runs.
func Each(ctx context.Context, e *command.Executor, hosts []*inventory.Host, set string, opts parallel.Options,
	fn func(ctx context.Context, t *parallel.Task, j Job) error) (*parallel.Report, error) {
	names := make([]string, len(hosts))
	byName := map[string]*inventory.Host{}
	found := set == ""
	for i, h := range hosts {
		names[i] = h.Name
		byName[h.Name] = h
		if _, ok := h.Backup(set); ok {
			found = true
		}
	}
	if !found {
		return nil, fmt.Errorf("backup set %q: none of the selected hosts (%s) has it in host.toml", set, strings.Join(names, ", "))
	}
	return parallel.Run(ctx, names, func(ctx context.Context, t *parallel.Task) error {
		h := byName[t.Host()]
		var done []string
		for _, s := range h.Backups {
			if set != "" && s.Name != set {
				continue
			}
			if err := fn(ctx, t, NewJob(e, h, s)); err != nil {
				return err
			}
			done = append(done, s.Name)
		}
		if len(done) == 0 {
			return parallel.Skip("no [[backup]] set in " + h.File)
		}
		t.Set("sets", strings.Join(done, ","))
		return nil
	}, opts)
}

// FleetStatus judges every set of every host at now, reading the repositories in parallel;
// accept is Status's.
func FleetStatus(ctx context.Context, e *command.Executor, hosts []*inventory.Host, set string, now time.Time, accept bool, opts parallel.Options) ([]SetStatus, *parallel.Report, error) {
	var mu sync.Mutex
	var rows []SetStatus
	rep, err := Each(ctx, e, hosts, set, opts, func(ctx context.Context, t *parallel.Task, j Job) error {
		t.Phase(j.Set.Name)
		st := j.Status(ctx, now, accept)
		mu.Lock()
		rows = append(rows, st)
		mu.Unlock()
		// An unreadable repository is reported in the table and by StaleError, not as a failed
		// host: the table is the answer status gives.
		return nil
	})
	slices.SortFunc(rows, func(a, b SetStatus) int {
		return strings.Compare(a.Host+"\x00"+a.Set, b.Host+"\x00"+b.Set)
	})
	return rows, rep, err
}
