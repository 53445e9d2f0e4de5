package deploy

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

// PruneOptions configure Prune.
type PruneOptions struct {
	Keep      int // the newest generations kept (at least 1); the running and booted ones are kept too
	Owner     string
	Force     bool // break a stale deploy lock
	StaleLock time.Duration
	// The host's deadlines (host.toml [deploy]): the lock and each short step (default 1m), the
	// garbage collection and switch-to-configuration boot (default 30m each).
	StepTimeout, ActivationTimeout time.Duration
}

// PruneResult is what Prune removed and kept.
type PruneResult struct {
	Deleted []int        // generation numbers
	Kept    []Generation // what the profile has afterwards
	GC      string       // the garbage collector's summary line
}

// Prune is the old boot-space-clean: under the deploy lock it deletes the system profile's
// generations but the newest Keep, the running and the booted one, collects the garbage, and
// rewrites the boot entries through the profile's `switch-to-configuration boot` (run by the
// deploy's supervisor, so a dropped connection cannot stop it halfway), so the boot menu lists
// only what is left.
func Prune(ctx context.Context, remote *command.Host, o PruneOptions) (PruneResult, error) {
	var res PruneResult
	if o.Keep < 1 {
		return res, fmt.Errorf("%s: prune: keep %d: keep at least the newest generation (-keep 1)", remote.Name(), o.Keep)
	}
	setDefault(&o.StaleLock, 15*time.Minute)
	setDefault(&o.StepTimeout, time.Minute)
	setDefault(&o.ActivationTimeout, 30*time.Minute)
	if o.Owner == "" {
		o.Owner = Owner()
	}
	id := newID()
	if _, _, err := acquireLock(ctx, remote, lockInfo{ID: id, Owner: o.Owner, PID: os.Getpid(), Time: time.Now()}, o.StaleLock, o.Force, 0, o.StepTimeout); err != nil {
		return res, fmt.Errorf("%s: prune: %w", remote.Name(), err)
	}
	defer func() { _, _ = releaseLock(context.WithoutCancel(ctx), remote, id) }()
	// Listed under the lock: no deploy adds or switches a generation meanwhile.
	gens, err := Generations(ctx, remote)
	if err != nil {
		return res, err
	}
	cur := slices.IndexFunc(gens, func(g Generation) bool { return g.Current })
	if cur < 0 {
		return res, fmt.Errorf("%s: prune: the system profile names no generation: nothing is safe to delete (see deploy:generations %s)", remote.Name(), remote.Name())
	}
	// The host's own nix, with its own configuration: none of this machine's settings.
	hostNix := nix.On(remote, nix.Settings{})
	var del []string
	for i, g := range gens {
		if i >= len(gens)-o.Keep || g.Current || g.Running || g.Booted {
			continue
		}
		res.Deleted = append(res.Deleted, g.Number)
		del = append(del, strconv.Itoa(g.Number))
	}
	if len(del) > 0 {
		if err := hostNix.DeleteGenerations(ctx, profilePath, del, o.StepTimeout); err != nil {
			return res, fmt.Errorf("%s: prune: delete generations %s: %w", remote.Name(), strings.Join(del, " "), err)
		}
	}
	gc, err := hostNix.CollectGarbage(ctx, o.ActivationTimeout)
	if err != nil {
		return res, fmt.Errorf("%s: prune: garbage collection (generations %s are deleted already): %w", remote.Name(), strings.Join(del, " "), err)
	}
	// "N store paths deleted, X MiB freed" is on stdout; stderr carries notes.
	if res.GC = lastLine(string(gc.Stdout)); res.GC == "" {
		res.GC = lastLine(string(gc.Stderr))
	}
	// The boot entries: the current generation's boot, which writes an entry per generation left.
	a := activation{id: id, action: Boot, out: gens[cur].Path, profileOp: "none", confirm: time.Second, health: time.Second}
	files, started, err := a.launch(ctx, remote, time.Now().Add(o.ActivationTimeout), true, "done")
	if !started {
		return res, fmt.Errorf("%s: prune: rewrite the boot entries: %w", remote.Name(), err)
	}
	if err != nil {
		return res, fmt.Errorf("%s: prune: rewrite the boot entries: %w", remote.Name(), err)
	}
	if files["result"] != "activated" {
		return res, fmt.Errorf("%s: prune: switch-to-configuration boot of generation %d exited %s: the boot entries may still name deleted generations; free /boot and run deploy:boot %s",
			remote.Name(), gens[cur].Number, files["status"], remote.Name())
	}
	if res.Kept, err = Generations(ctx, remote); err != nil {
		return res, err
	}
	return res, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
