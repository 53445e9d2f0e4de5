package rotation

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/nixos-hub/hub/internal/backup"
	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/secrets"
)

// stagingDir is where the new restic password waits on a host between `restic key add` and
// the deploy that brings it to /run/agenix: /run, a tmpfs (never on disk), root only.
const stagingDir = "/run/hub-rotate"

// resticRepo is one repository of one host whose password the secret is.
type resticRepo struct {
	job    backup.Job
	host   string
	oldKey string // the key the deployed (old) password opens
	newKey string // the key added for the new password, once added
	staged bool   // the new password is in the staging file
}

func (r *resticRepo) String() string {
	return "host " + r.host + ": repository " + r.job.Set.Repository
}

// resticConsumer moves every repository of every host using the secret from its old key to a
// key of the new password, never removing the old key before the new one opens the repository
// through the deployed file.
type resticConsumer struct {
	repos   []*resticRepo
	staging string
	logf    func(string, ...any)
}

// newResticConsumer finds the repositories: every [[backup]] set of the hosts whose
// password_file is the secret's agenix path, once per host and repository.
func newResticConsumer(o Options, e *secrets.Entry, hosts []*inventory.Host, logf func(string, ...any)) (*resticConsumer, error) {
	base := strings.TrimSuffix(path.Base(e.Name), ".age")
	file := "/run/agenix/" + base
	c := &resticConsumer{staging: path.Join(stagingDir, base+".new"), logf: logf}
	seen := map[string]bool{}
	for _, h := range hosts {
		for _, set := range h.Backups {
			if set.PasswordFile != file || seen[h.Name+" "+set.Repository] {
				continue
			}
			seen[h.Name+" "+set.Repository] = true
			c.repos = append(c.repos, &resticRepo{job: backup.NewJob(o.Executor, h, set), host: h.Name})
		}
	}
	if len(c.repos) == 0 {
		return nil, fmt.Errorf("no [[backup]] set of %s has password_file = %q: nothing would take the new password", hostNames(hosts), file)
	}
	return c, nil
}

func (c *resticConsumer) prepare(ctx context.Context, nv *secrets.NewValue) error {
	// Every repository must open with its deployed password first: a rotation must not start
	// from a repository nobody can open, nor from one it cannot reach.
	for _, r := range c.repos {
		id, err := r.job.CurrentKey(ctx, r.job.Set.PasswordFile)
		if err != nil {
			return fmt.Errorf("%s: %w", r, err)
		}
		r.oldKey = id
	}
	for _, r := range c.repos {
		if _, err := r.job.Host.Run(ctx, command.Cmd{Args: []string{"sh", "-c", `umask 077 && mkdir -p "$(dirname "$1")" && cat > "$1"`, "sh", c.staging},
			Stdin: bytes.NewReader(nv.Secret)}); err != nil {
			return fmt.Errorf("%s: stage the new password in %s: %w", r, c.staging, err)
		}
		r.staged = true
		id, err := r.job.AddKey(ctx, r.job.Set.PasswordFile, c.staging)
		if err != nil {
			return fmt.Errorf("%s: %w", r, err)
		}
		r.newKey = id
		c.logf("%s: key %s added for the new password (old key %s stays)", r, id, r.oldKey)
	}
	return nil
}

func (c *resticConsumer) apply(ctx context.Context) error {
	for _, r := range c.repos {
		id, err := r.job.CurrentKey(ctx, r.job.Set.PasswordFile)
		if err != nil {
			return fmt.Errorf("%s: with the deployed %s: %w", r, r.job.Set.PasswordFile, err)
		}
		if id != r.newKey {
			return fmt.Errorf("%s: the deployed %s opens key %s, not the new password's %s", r, r.job.Set.PasswordFile, id, r.newKey)
		}
		c.logf("%s: opens with the deployed password (key %s)", r, id)
	}
	return nil
}

func (c *resticConsumer) commit(ctx context.Context) []string {
	var left []string
	for _, r := range c.repos {
		if err := r.job.RemoveKey(ctx, r.job.Set.PasswordFile, r.oldKey); err != nil {
			left = append(left, fmt.Sprintf("%s: remove the old password's key: restic --repo %s --password-file %s key remove %s (the new key is in use): %v",
				r, r.job.Set.Repository, r.job.Set.PasswordFile, r.oldKey, err))
			continue
		}
		c.logf("%s: old key %s removed", r, r.oldKey)
	}
	return append(left, c.unstage(ctx, nil)...)
}

func (c *resticConsumer) undo(ctx context.Context, unreached map[string]error) []string {
	var left []string
	for _, r := range c.repos {
		if r.newKey == "" {
			continue
		}
		if err, ok := unreached[r.host]; ok {
			left = append(left, fmt.Sprintf("%s: once it is deployed again: restic --repo %s --password-file %s key remove %s (the abandoned new password's key; the old key %s still opens it; unreachable: %v)",
				r, r.job.Set.Repository, r.job.Set.PasswordFile, r.newKey, r.oldKey, err))
			continue
		}
		// Opening with the deployed file, the old password again, proves the old key works.
		if err := r.job.RemoveKey(ctx, r.job.Set.PasswordFile, r.newKey); err != nil {
			left = append(left, fmt.Sprintf("%s: restic --repo %s --password-file %s key remove %s (the abandoned new password's key): %v",
				r, r.job.Set.Repository, r.job.Set.PasswordFile, r.newKey, err))
			continue
		}
		c.logf("%s: new key %s removed; the old key %s opens it", r, r.newKey, r.oldKey)
		r.newKey = ""
	}
	return append(left, c.unstage(ctx, unreached)...)
}

// unstage removes the staging file from each host that has one.
func (c *resticConsumer) unstage(ctx context.Context, unreached map[string]error) []string {
	var left []string
	for _, r := range c.repos {
		if !r.staged {
			continue
		}
		if _, ok := unreached[r.host]; !ok {
			if _, err := r.job.Host.Run(ctx, command.Cmd{Args: []string{"rm", "-f", "--", c.staging}}); err == nil {
				r.staged = false
				continue
			}
		}
		left = append(left, fmt.Sprintf("host %s: rm -f %s (the new password; /run is emptied at the next boot)", r.host, c.staging))
		r.staged = false
	}
	return left
}

// restartConsumer restarts the units that read the secret on each host using it, after the
// deploy brought the new value (sops-nix's restartUnits), and checks that they run.
type restartConsumer struct {
	o         Options
	hosts     []*inventory.Host
	units     []string
	logf      func(string, ...any)
	restarted []*inventory.Host // the hosts apply restarted units on (they run the new value)
}

func (c *restartConsumer) prepare(context.Context, *secrets.NewValue) error { return nil }

func (c *restartConsumer) apply(ctx context.Context) error {
	for _, h := range c.hosts {
		c.restarted = append(c.restarted, h)
		if err := c.restart(ctx, h); err != nil {
			return err
		}
		c.logf("host %s: restarted %s", h.Name, strings.Join(c.units, " "))
	}
	return nil
}

func (c *restartConsumer) commit(context.Context) []string { return nil }

func (c *restartConsumer) undo(ctx context.Context, unreached map[string]error) []string {
	var left []string
	for _, h := range c.restarted {
		if _, ok := unreached[h.Name]; ok {
			left = append(left, fmt.Sprintf("host %s: once it is deployed again: systemctl restart %s", h.Name, strings.Join(c.units, " ")))
			continue
		}
		if err := c.restart(ctx, h); err != nil {
			left = append(left, fmt.Sprintf("%v: restart them by hand once the old value is deployed", err))
		}
	}
	return left
}

// restart restarts the units on h and checks each is active.
func (c *restartConsumer) restart(ctx context.Context, h *inventory.Host) error {
	host := c.o.Executor.SSH(h.Name, h.SSH)
	if _, err := host.Run(ctx, command.Cmd{Args: append([]string{"systemctl", "restart", "--"}, c.units...)}); err != nil {
		return fmt.Errorf("host %s: systemctl restart %s: %w", h.Name, strings.Join(c.units, " "), err)
	}
	if _, err := host.Run(ctx, command.Cmd{Args: append([]string{"systemctl", "is-active", "--quiet", "--"}, c.units...)}); err != nil {
		return fmt.Errorf("host %s: %s not active after the restart: %w", h.Name, strings.Join(c.units, " "), err)
	}
	return nil
}

func hostNames(hosts []*inventory.Host) string {
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = h.Name
	}
	return strings.Join(names, ", ")
}
