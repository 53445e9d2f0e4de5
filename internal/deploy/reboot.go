package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/parallel"
)

// Rebooter restarts a host and returns once it is back (reachable over ssh), or fails after
// timeout. The deploy then verifies what it booted.
type Rebooter interface {
	Reboot(ctx context.Context, h *inventory.Host, remote *command.Host, timeout time.Duration) error
}

// RebooterFunc adapts a function, such as a local fleet's Reboot, to a Rebooter.
type RebooterFunc func(ctx context.Context, h *inventory.Host, remote *command.Host, timeout time.Duration) error

// Reboot calls f.
func (f RebooterFunc) Reboot(ctx context.Context, h *inventory.Host, remote *command.Host, timeout time.Duration) error {
	return f(ctx, h, remote, timeout)
}

// SSHRebooter reboots real hosts: `systemctl reboot`, then new ssh connections until the
// kernel's boot_id changes.
type SSHRebooter struct {
	Poll time.Duration // default 3s
}

const bootIDPath = "/proc/sys/kernel/random/boot_id"

// Reboot implements Rebooter.
func (s SSHRebooter) Reboot(ctx context.Context, h *inventory.Host, remote *command.Host, timeout time.Duration) error {
	before, err := remote.Output(ctx, "cat", bootIDPath)
	if err != nil {
		return fmt.Errorf("read boot_id: %w", err)
	}
	// The connection may drop before systemctl returns: the boot_id change is the evidence.
	_, _ = remote.Run(ctx, command.Cmd{Args: []string{"systemctl", "reboot"}, Timeout: 30 * time.Second})
	poll := s.Poll
	if poll <= 0 {
		poll = 3 * time.Second
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
		now, err := remote.Fresh(10*time.Second).Run(ctx, command.Cmd{Args: []string{"cat", bootIDPath}, Timeout: 20 * time.Second})
		if err == nil && strings.TrimSpace(string(now.Stdout)) != strings.TrimSpace(before) {
			return nil
		}
	}
	return fmt.Errorf("the host did not come back within %s (boot_id unchanged or ssh unreachable)", timeout)
}

// reboot reboots one host in a rolling fashion (at most MaxUnavailable at once) and verifies
// that it booted the deployed system.
func (r *run) reboot(ctx context.Context, t *parallel.Task, h *inventory.Host, remote *command.Host, sys System) error {
	t.Phase("reboot")
	select {
	case r.reboots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-r.reboots }()
	timeout := r.limits(h).RebootTimeout
	t.Logf("rebooting (timeout %s)", timeout)
	start := time.Now()
	if err := r.opts.Rebooter.Reboot(ctx, h, remote, timeout); err != nil {
		return hostError("reboot", "reboot", err, "check the host's console; the new system stays the boot default")
	}
	st, err := Probe(ctx, remote, "", r.opts.ProbeTimeout)
	if err != nil {
		return hostError("reboot", "read the booted system", err, "")
	}
	if st.Booted != sys.Out {
		return fmt.Errorf("reboot: booted %s, expected %s: check the bootloader entries (deploy:generations %s)", shortPath(st.Booted), shortPath(sys.Out), h.Name)
	}
	t.Logf("booted %s in %s", shortPath(sys.Out), time.Since(start).Round(100*time.Millisecond))
	return nil
}
