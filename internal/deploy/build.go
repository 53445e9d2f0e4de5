package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/parallel"
)

// The build and copy steps of a host's deploy (internal/nix writes their command lines); the local
// builds of all hosts are nix.go's builder.

// buildPlace is where h's system is built: this machine, the target itself or a build host
// (host.toml's build table, overridden by -buildOn/-buildHost), and the build host's name.
func (r *run) buildPlace(h *inventory.Host) (on, host string) {
	on, host = h.Build.On, h.Build.Host
	if r.opts.BuildOn != "" {
		on = r.opts.BuildOn
	}
	if r.opts.BuildHost != "" {
		on, host = inventory.BuildHost, r.opts.BuildHost
	}
	if on == inventory.BuildHost && host == h.Name {
		on = inventory.BuildTarget
	}
	return on, host
}

// buildRemote copies the derivation closure to the builder and realises it there. The copy has
// h's copy deadline; the build itself only the run's (a build's length is the derivation's).
func (r *run) buildRemote(ctx context.Context, t *parallel.Task, b *command.Host, h *inventory.Host, sys System) error {
	if _, err := nix.On(r.exec.Local(), r.opts.Nix).CopyClosure(ctx, b, []string{sys.Drv}, nix.CopyOptions{Derivation: true,
		Stderr: t.Stream(), Timeout: r.limits(h).CopyTimeout}); err != nil {
		return fmt.Errorf("copy the derivation to %s: %w", b.Name(), err)
	}
	t.Logf("realising %s on %s", shortPath(sys.Drv), b.Name())
	// The build host's own nix configuration builds there: none of this machine's settings.
	_, err := nix.On(b, nix.Settings{}).Realise(ctx, []string{sys.Drv}, nix.RealiseOptions{Stderr: t.Stream()})
	return err
}

// transient reports whether a failed nix copy is worth retrying: the ssh transport failed rather
// than the store refusing the paths.
func transient(err error) bool {
	var xe *command.ExitError
	if !errors.As(err, &xe) {
		return false
	}
	if xe.Unreachable() || xe.TimedOut {
		return true
	}
	s := strings.ToLower(xe.Stderr)
	for _, m := range []string{"connection refused", "connection reset", "connection closed", "broken pipe", "timed out",
		"cannot connect", "kex_exchange", "unexpected end-of-file", "no route to host", "connection timed out"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// copy copies the closure of out to the target (from the local store, or relayed from a build
// host through this machine), retrying transient ssh failures with a doubling pause.
func (r *run) copy(ctx context.Context, t *parallel.Task, remote *command.Host, h *inventory.Host, from, out string) error {
	local := nix.On(r.exec.Local(), r.opts.Nix)
	o := nix.CopyOptions{From: from, SubstituteOnDestination: h.Build.SubstituteOnDestination || r.opts.Substitute,
		Stderr: t.Stream(), Timeout: r.limits(h).CopyTimeout}
	pause := r.opts.CopyBackoff
	for attempt := 1; ; attempt++ {
		_, err := local.CopyClosure(ctx, remote, []string{out}, o)
		if err == nil {
			return nil
		}
		if !transient(err) || attempt >= r.opts.CopyAttempts || ctx.Err() != nil {
			return hostError("copy", fmt.Sprintf("copy %s (attempt %d of %d)", shortPath(out), attempt, r.opts.CopyAttempts), err,
				"check the host's disk space and ssh access, then deploy again")
		}
		t.Logf("copy failed (attempt %d of %d), retrying in %s: %v", attempt, r.opts.CopyAttempts, pause, err)
		select {
		case <-ctx.Done():
			return hostError("copy", "copy "+shortPath(out), ctx.Err(), "")
		case <-time.After(pause):
		}
		pause *= 2
	}
}
