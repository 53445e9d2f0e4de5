package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/parallel"
)

// healthBudget is how long the watchdog waits for the commit after the confirmation: every
// check's worst case plus the system-running gate and a margin for the round trips.
func healthBudget(h *inventory.Host, o Options) time.Duration {
	total := 30 * time.Second
	if o.Emergency {
		return total
	}
	for _, c := range h.Health {
		n := max(c.Retries, 1)
		total += time.Duration(n)*(checkTimeout(c)+o.HealthPause) + time.Second
	}
	if h.Deploy.SystemRunning != inventory.SystemIgnore {
		total += 3 * (10*time.Second + o.HealthPause)
	}
	return total
}

func checkTimeout(c inventory.HealthCheck) time.Duration {
	if c.Timeout <= 0 {
		return 10 * time.Second
	}
	return c.Timeout
}

// CheckTarget substitutes the host's address for $HOST in an http or tcp check run from the
// hub (the inventory refuses $HOST in a check run on the target, where it means nothing).
func CheckTarget(c inventory.HealthCheck, h *inventory.Host) string {
	return strings.ReplaceAll(c.Target(), "$HOST", h.SSH.Destination)
}

// checkName names a check in logs and errors, with where a tcp or http check ran: the same
// address means another machine on each side.
func checkName(c inventory.HealthCheck, h *inventory.Host) string {
	name := c.Kind() + " " + CheckTarget(c, h)
	switch {
	case c.Kind() != "tcp" && c.Kind() != "http":
	case c.RunsOn() == inventory.FromTarget:
		name += " on the target"
	default:
		name += " from the hub"
	}
	return name
}

// health runs the host's checks in order; the first one that fails all its attempts fails the
// host, naming the check.
func (r *run) health(ctx context.Context, t *parallel.Task, h *inventory.Host, remote *command.Host, st State) error {
	if h.Deploy.SystemRunning != inventory.SystemIgnore {
		c := inventory.HealthCheck{Retries: 3, Timeout: 10 * time.Second}
		if err := r.attempts(ctx, t, c, "systemctl is-system-running", func(ctx context.Context) error {
			return systemRunning(ctx, remote, st, h.Deploy.SystemRunning)
		}); err != nil {
			return err
		}
	}
	for _, c := range h.Health {
		if err := r.attempts(ctx, t, c, checkName(c, h), func(ctx context.Context) error {
			return runCheck(ctx, c, h, remote, st)
		}); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) attempts(ctx context.Context, t *parallel.Task, c inventory.HealthCheck, name string, check func(context.Context) error) error {
	n := max(c.Retries, 1)
	var err error
	for i := 1; i <= n; i++ {
		cctx, cancel := context.WithTimeout(ctx, checkTimeout(c))
		err = check(cctx)
		cancel()
		if err == nil {
			t.Logf("health: %s ok", name)
			return nil
		}
		var perm *permanent
		if ctx.Err() != nil || errors.As(err, &perm) {
			break
		}
		if i < n {
			t.Logf("health: %s: attempt %d of %d failed: %v", name, i, n, err)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(r.opts.HealthPause):
			}
		}
	}
	return fmt.Errorf("health check %s failed: %w", name, err)
}

// permanent marks a check failure that retrying cannot fix.
type permanent struct{ msg string }

func (p *permanent) Error() string { return p.msg }

func runCheck(ctx context.Context, c inventory.HealthCheck, h *inventory.Host, remote *command.Host, st State) error {
	switch c.Kind() {
	case "unit":
		if !st.Systemd {
			return &permanent{fmt.Sprintf("the host has no systemd (/run/systemd/system is missing): unit check %q cannot run; use a command or tcp check for this host", c.Unit)}
		}
		out, err := remote.Output(ctx, "systemctl", "is-active", c.Unit)
		if err != nil {
			return fmt.Errorf("%s is %s", c.Unit, strings.TrimSpace(out))
		}
		return nil
	case "http", "tcp":
		if c.RunsOn() == inventory.FromTarget {
			return targetProbe(ctx, c, remote)
		}
		return hubProbe(ctx, c, h)
	default:
		_, err := remote.Run(ctx, command.Cmd{Args: []string{"sh", "-c", c.Command}})
		return err
	}
}

func systemRunning(ctx context.Context, remote *command.Host, st State, policy string) error {
	if !st.Systemd {
		return &permanent{"the host has no systemd: set deploy.system_running = \"ignore\" for it"}
	}
	// is-system-running exits non-zero for anything but "running": the output is the answer.
	out, _ := remote.Output(ctx, "systemctl", "is-system-running")
	state := strings.TrimSpace(out)
	switch {
	case state == "running", state == "degraded" && policy == inventory.SystemDegraded:
		return nil
	case state == "degraded":
		return &permanent{"system is degraded (deploy.system_running = \"running\"); `systemctl --failed` on the host lists the failed units"}
	}
	return fmt.Errorf("system is %q", state)
}
