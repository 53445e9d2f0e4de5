package secrets

import (
	"context"
	"fmt"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/parallel"
)

// The per-host jobs of secrets:hostKeys, secrets:status and secrets:fix, for a fleet run of
// internal/parallel: each reports on its task (lines of output, summary columns) and fails the host
// where the target should exit non-zero.

// HostKeysJob ssh-keyscans h from this machine (local) and reports where the keys it presents
// drift from the ones r names after it, one line each with the line to paste; any drift fails
// the host. Column "host key": "matches secrets.nix" or "drift".
func HostKeysJob(ctx context.Context, t *parallel.Task, local *command.Host, r *Rules, h *inventory.Host) error {
	t.Phase("keyscan")
	drift, err := scanHostKeys(ctx, local, r, h)
	if err != nil {
		return err
	}
	for _, d := range drift {
		fmt.Fprintln(t, d)
	}
	if len(drift) > 0 {
		t.Set("host key", "drift")
		return fmt.Errorf("host key drifts from secrets.nix (%d findings)", len(drift))
	}
	t.Set("host key", "matches secrets.nix")
	return nil
}

// StatusJob shows over ssh how agenix runs on h, where /run/agenix points and the decrypted
// files (hostStatus). Columns "agenix" (the unit's state) and "secrets" (how many files).
func StatusJob(ctx context.Context, t *parallel.Task, h *inventory.Host, e *command.Executor) error {
	return remoteJob(ctx, t, "status", hostStatus, h, e)
}

// FixJob decrypts h's secrets again over ssh (Fix) and shows the state it leaves, as StatusJob.
func FixJob(ctx context.Context, t *parallel.Task, h *inventory.Host, e *command.Executor) error {
	return remoteJob(ctx, t, "fix", fix, h, e)
}

func remoteJob(ctx context.Context, t *parallel.Task, phase string, do func(context.Context, *command.Executor, *inventory.Host) (*remoteStatus, error), h *inventory.Host, e *command.Executor) error {
	t.Phase(phase)
	st, err := do(ctx, e, h)
	if err != nil {
		return err
	}
	t.Set("agenix", st.Unit)
	t.Set("secrets", fmt.Sprint(len(st.Files)))
	return st.render(t)
}
