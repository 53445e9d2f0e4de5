// Package recovery brings a reinstalled host back to what it was, driven from the hub: the
// host's secrets re-keyed to the key the fresh installation generated (with the admin's age
// identity, a recipient of every secret), its configuration deployed, its backup sets restored
// with the repository passwords decrypted by the admin's identity (the host's own key, which
// agenix would decrypt them with, is the one that was lost), the SQLite databases put back from
// their consistent copies, a reboot so every service starts on the restored data, and each set
// verified. It is what docs/recovery.md ("the disk is gone") describes, as one target:
// recovery:host.
//
// Entry point: [Host] runs the recovery and returns its [Result], one [Step] per line of the
// summary.
package recovery

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"text/tabwriter"
	"time"

	"filippo.io/age"

	"github.com/nixos-hub/hub/internal/backup"
	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/durablefile"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/parallel"
	"github.com/nixos-hub/hub/internal/secrets"
)

// passwordDir is where the decrypted repository passwords live on the host during a recovery:
// /run is a tmpfs, so they never reach a disk, and the reboot clears it if the cleanup did not.
const passwordDir = "/run/hub-recovery"

// hostKeyFiles are the restore excludes that keep a re-keyed host's new ssh host key: the old
// one in a snapshot of /etc/ssh would replace it, and nothing is encrypted to that one any more.
var hostKeyFiles = []string{"/etc/ssh/ssh_host_*"}

// Options say how to recover a host.
type Options struct {
	RulesPath  string         // secrets.nix
	Identities []age.Identity // the admin's: decrypts the repository passwords, re-keys
	Deploy     deploy.Options // the deploy of the host's configuration
	Rebooter   deploy.Rebooter
	// RebootTimeout bounds the reboot after the restore; 0: 10 minutes.
	RebootTimeout time.Duration
	Verify        backup.VerifyOptions
}

// Step is one line of the summary.
type Step struct {
	Name, Result string
	Err          error
}

// Result is what a recovery did, step by step.
type Result struct {
	Host  string
	Steps []Step
}

func (r *Result) add(name, result string, err error) error {
	r.Steps = append(r.Steps, Step{Name: name, Result: result, Err: err})
	return err
}

// WriteTable prints the summary: one row per step.
func (r *Result) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tSTEP\tRESULT")
	for _, s := range r.Steps {
		res := s.Result
		if s.Err != nil {
			res = "FAILED: " + firstLine(s.Err.Error())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Host, s.Name, res)
	}
	return tw.Flush()
}

// Host recovers h: re-key (when its key changed), deploy, restore every set, reinstate the
// SQLite databases, reboot, verify. It stops at the first failed step; the result says which.
func Host(ctx context.Context, fleet *inventory.Fleet, e *command.Executor, h *inventory.Host, r backup.Reporter, o Options) (*Result, error) {
	res := &Result{Host: h.Name}
	remote := e.SSH(h.Name, h.SSH)
	defer func() {
		// The plaintext passwords must not outlive the recovery, even a failed or cancelled one.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if _, err := remote.Run(cctx, command.Cmd{Args: []string{"rm", "-rf", "--", passwordDir}}); err != nil {
			r.Logf("removing %s on %s failed: %v", passwordDir, h.Name, err)
		}
	}()

	r.Phase("reach")
	d, err := remote.Ping(ctx, 30*time.Second)
	if err != nil {
		return res, res.add("reach", "", fmt.Errorf("host %s: %w (a reinstalled host has a new host key: check its fingerprint at the console and put it in known_hosts first)", h.Name, err))
	}
	res.add("reach", fmt.Sprintf("ssh answers in %s", d.Round(time.Millisecond)), nil)

	r.Phase("host key")
	rekeyed, msg, err := rekey(ctx, e, h, r, o)
	if err := res.add("host key", msg, err); err != nil {
		return res, err
	}
	rules, err := secrets.LoadRules(ctx, e.Local(), o.RulesPath)
	if err != nil {
		return res, res.add("passwords", "", err)
	}

	r.Phase("deploy")
	dres, err := deploy.Run(ctx, fleet, e, []*inventory.Host{h}, o.Deploy)
	if err == nil && dres != nil && dres.Failed() > 0 {
		err = dres.Report.Err()
	}
	if err := res.add("deploy", deployed(dres), err); err != nil {
		return res, fmt.Errorf("host %s: deploy: %w", h.Name, err)
	}

	if len(h.Backups) == 0 {
		res.add("restore", "no [[backup]] set in "+h.File, nil)
		return res, nil
	}
	jobs := make([]backup.Job, len(h.Backups))
	for i, set := range h.Backups {
		j, how, err := withPassword(ctx, backup.NewJob(e, h, set), rules, o.Identities)
		if err := res.add("password "+set.Name, how, err); err != nil {
			return res, err
		}
		jobs[i] = j
	}
	var exclude []string
	if rekeyed {
		exclude = hostKeyFiles
	}
	for _, j := range jobs {
		snap, err := j.Restore(ctx, r, backup.RestoreOptions{Snapshot: "latest", Target: "/", Force: true, Exclude: exclude})
		msg := fmt.Sprintf("snapshot %s of %s restored in place", snap.ShortID, snap.Time.UTC().Format("2006-01-02 15:04 UTC"))
		if rekeyed {
			msg += " (/etc/ssh/ssh_host_* excluded: the host keeps its new key)"
		}
		if err := res.add("restore "+j.Set.Name, msg, err); err != nil {
			return res, err
		}
		for _, db := range j.Set.SQLite {
			if err := res.add("sqlite "+db, "consistent copy put in place", j.ReinstateSQLite(ctx, db)); err != nil {
				return res, err
			}
		}
	}

	r.Phase("reboot")
	rb := o.Rebooter
	if rb == nil {
		rb = deploy.SSHRebooter{}
	}
	timeout := o.RebootTimeout
	if timeout == 0 {
		timeout = h.Deploy.RebootTimeout // host.toml's deploy.reboot_timeout
	}
	if timeout == 0 {
		timeout = 10 * time.Minute
	}
	if err := res.add("reboot", "services started on the restored data", rb.Reboot(ctx, h, remote, timeout)); err != nil {
		return res, fmt.Errorf("host %s: reboot: %w", h.Name, err)
	}

	for _, set := range h.Backups {
		// The reboot emptied /run: the password goes up again.
		j, _, err := withPassword(ctx, backup.NewJob(e, h, set), rules, o.Identities)
		if err != nil {
			return res, res.add("verify "+set.Name, "", err)
		}
		vr, err := j.Verify(ctx, r, o.Verify)
		if err := res.add("verify "+set.Name, vr.String(), err); err != nil {
			return res, err
		}
	}
	return res, nil
}

// rekey compares the key the host presents with the one secrets.nix names for it; when they
// differ (a fresh installation generates its own), it writes the new key into secrets.nix and
// re-encrypts every secret the host can read to it with the admin's identity, before the deploy
// takes the files into the host's configuration.
func rekey(ctx context.Context, e *command.Executor, h *inventory.Host, r backup.Reporter, o Options) (bool, string, error) {
	rules, err := secrets.LoadRules(ctx, e.Local(), o.RulesPath)
	if err != nil {
		return false, "", err
	}
	presented, err := secrets.ScanHostKey(ctx, e.Local(), h)
	if err != nil {
		return false, "", err
	}
	for _, k := range rules.Keys() {
		if rules.Label(k) == h.Name && k.Key == presented.Key {
			return false, "matches secrets.nix: no re-key", nil
		}
	}
	// Nothing is written unless the identity can decrypt every secret the host reads: a wrong
	// identity must leave secrets.nix naming the old key rather than a key no file is
	// encrypted to.
	readable, err := secrets.PlanRekey(rules, secrets.PlanOptions{Host: h.Name, Force: true})
	if err != nil {
		return false, "", err
	}
	for _, p := range readable {
		if _, err := secrets.DecryptFile(p.Entry.Path, o.Identities); err != nil {
			return false, "", fmt.Errorf("host %s: the host presents a new key %s, but the admin identity cannot re-key %s: %w (nothing was changed)", h.Name, presented.ShortID(), p.Entry.Name, err)
		}
	}
	before, err := os.ReadFile(rules.Path)
	if err != nil {
		return false, "", err
	}
	if err := secrets.SetKey(rules.Path, h.Name, presented.Key); err != nil {
		return false, "", fmt.Errorf("host %s: the host presents %s, which secrets.nix does not have: %w", h.Name, presented.ShortID(), err)
	}
	restore := func(cause error) error {
		if werr := durablefile.Write(rules.Path, before, 0o644); werr != nil {
			return fmt.Errorf("%w; restoring %s failed too: %w", cause, rules.Path, werr)
		}
		return cause
	}
	r.Logf("%s: secrets.nix now names its new key %s", rules.Path, presented.ShortID())
	if rules, err = secrets.LoadRules(ctx, e.Local(), o.RulesPath); err != nil {
		return false, "", restore(err)
	}
	plan, err := secrets.PlanRekey(rules, secrets.PlanOptions{Host: h.Name})
	if err != nil {
		return false, "", restore(err)
	}
	rk := secrets.Rekey(ctx, plan, o.Identities, 4)
	if err := rk.Err(); err != nil {
		return false, "", restore(fmt.Errorf("host %s: re-key: %w", h.Name, err))
	}
	var names []string
	for _, p := range plan {
		names = append(names, p.Entry.Name)
	}
	r.Logf("re-keyed to %s: %s", presented.ShortID(), strings.Join(names, ", "))
	return true, fmt.Sprintf("new key %s written to secrets.nix, %d secrets re-keyed (commit them)", presented.ShortID(), len(plan)), nil
}

// withPassword decrypts the set's repository password with the admin's identity and puts it on
// the host under passwordDir for j. The password_file must be an agenix secret the rules list
// (/run/agenix/NAME and NAME.age): the host's own copy died with its disk and its key.
func withPassword(ctx context.Context, j backup.Job, rules *secrets.Rules, ids []age.Identity) (backup.Job, string, error) {
	name, ok := strings.CutPrefix(j.Set.PasswordFile, "/run/agenix/")
	if !ok || strings.Contains(name, "/") {
		return j, "", fmt.Errorf("host %s: set %s: password_file %s is not an agenix secret (/run/agenix/NAME): recovery cannot provide it", j.HostName, j.Set.Name, j.Set.PasswordFile)
	}
	entry, err := rules.Entry(name + ".age")
	if err != nil {
		return j, "", fmt.Errorf("host %s: set %s: password_file %s: %w", j.HostName, j.Set.Name, j.Set.PasswordFile, err)
	}
	pw, err := secrets.DecryptFile(entry.Path, ids)
	if err != nil {
		return j, "", fmt.Errorf("host %s: set %s: decrypting %s with the admin identity: %w", j.HostName, j.Set.Name, entry.Name, err)
	}
	file := path.Join(passwordDir, j.Set.Name+".password")
	script := `umask 077; mkdir -p "$(dirname "$1")" && cat > "$1"`
	if _, err := j.Host.Run(ctx, command.Cmd{Args: []string{"sh", "-c", script, "sh", file}, Stdin: strings.NewReader(string(pw))}); err != nil {
		return j, "", fmt.Errorf("host %s: set %s: password: %w", j.HostName, j.Set.Name, err)
	}
	j.Set.PasswordFile = file
	if j.Set.Copy != "" && j.Set.CopyPasswordFile == "/run/agenix/"+name {
		j.Set.CopyPasswordFile = file
	}
	return j, entry.Name + " decrypted with the admin identity", nil
}

// deployed says what the deploy did: a reinstalled host may already run the configuration
// (the installer installs the host's own), which the deploy skips.
func deployed(res *deploy.Result) string {
	if res == nil || res.Report == nil || len(res.Report.Hosts) != 1 {
		return ""
	}
	hr := res.Report.Hosts[0]
	if hr.Err != nil && hr.Status == parallel.StatusSkipped {
		return "already runs its configuration: " + firstLine(hr.Err.Error())
	}
	return fmt.Sprintf("%s: switched to its configuration", hr.Status)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
