//go:build mage

package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/magefile/mage/mg"
	"golang.org/x/term"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/parallel"
	"github.com/nixos-hub/hub/internal/rotation"
	"github.com/nixos-hub/hub/internal/runenv"
	"github.com/nixos-hub/hub/internal/secrets"
)

// Secrets manages the agenix-compatible age secrets listed in secrets/secrets.nix.
type Secrets mg.Namespace

// secretsRules is the rules file; HUB_SECRETS_RULES points elsewhere (tests, other repos).
func secretsRules(ctx context.Context, env runenv.Env) (*secrets.Rules, error) {
	return secrets.LoadRules(ctx, env.Executor().Local(), secretsRulesPath())
}

// secretsRulesPath is the rules file's path.
func secretsRulesPath() string {
	if path := os.Getenv("HUB_SECRETS_RULES"); path != "" {
		return path
	}
	return "secrets/secrets.nix"
}

// identities loads -identity / $HUB_AGE_IDENTITY / ~/.ssh/id_ed25519 and id_rsa (each of them,
// comma-separated), prompting at most once per passphrase-protected key.
func identities(identity *string) ([]age.Identity, error) {
	paths, err := secrets.IdentityPaths(flag(identity, ""), os.Getenv)
	if err != nil {
		return nil, err
	}
	var ids []age.Identity
	for _, path := range paths {
		got, err := secrets.LoadIdentities(path, secrets.OncePassphrase(func() ([]byte, error) {
			fmt.Fprintf(os.Stderr, "passphrase for %s: ", path)
			defer fmt.Fprintln(os.Stderr)
			return term.ReadPassword(int(os.Stdin.Fd()))
		}))
		if err != nil {
			return nil, err
		}
		ids = append(ids, got...)
	}
	return ids, nil
}

func editSecret(ctx context.Context, name string, isNew bool, identity *string, force *bool) error {
	env := runEnv(nil, nil)
	r, err := secretsRules(ctx, env)
	if err != nil {
		return err
	}
	e, err := r.Entry(name)
	if err != nil {
		return err
	}
	var ids []age.Identity
	if !isNew {
		if ids, err = identities(identity); err != nil {
			return err
		}
	}
	tmp, err := secrets.MemoryDir([]string{os.Getenv("XDG_RUNTIME_DIR"), "/dev/shm"}, flag(force, false))
	if err != nil {
		return err
	}
	editor := os.Getenv("EDITOR")
	changed, err := secrets.Edit(ctx, secrets.EditOptions{Entry: e, Identities: ids, New: isNew, Editor: editor, TmpDir: tmp, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	if err != nil {
		return err
	}
	if changed {
		fmt.Printf("%s: encrypted to %d recipient(s)\n", e.Name, len(e.Recipients))
	} else {
		fmt.Printf("%s: unchanged\n", e.Name)
	}
	return nil
}

// Edit decrypts NAME into a memory-backed temp file, opens $EDITOR, and re-encrypts if it changed (-force allows a disk-backed temp dir).
func (Secrets) Edit(ctx context.Context, name string, identity *string, force *bool) error {
	return editSecret(ctx, name, false, identity, force)
}

// New creates NAME (already listed in secrets.nix) by opening $EDITOR on an empty memory-backed file.
func (Secrets) New(ctx context.Context, name string, force *bool) error {
	return editSecret(ctx, name, true, nil, force)
}

// Cat decrypts NAME to stdout.
func (Secrets) Cat(ctx context.Context, name string, identity *string) error {
	env := runEnv(nil, nil)
	r, err := secretsRules(ctx, env)
	if err != nil {
		return err
	}
	e, err := r.Entry(name)
	if err != nil {
		return err
	}
	ids, err := identities(identity)
	if err != nil {
		return err
	}
	pt, err := secrets.DecryptFile(e.Path, ids)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(pt)
	return err
}

// Rekey re-encrypts the files whose recipients differ from secrets.nix (-force: all; -host: only files a key named HOST can read), after showing the plan.
func (Secrets) Rekey(ctx context.Context, identity *string, force *bool, host *string, parallelism *int) error {
	// Before the plan is shown: a Ctrl-C as soon as it is on the screen is the hub's to handle,
	// not mage's (TestSecretsRekeyInterrupt sends it right after the plan's last line, and under
	// load it once came before this was called further down, which ended the run with no output).
	ctx, stop := interruptible(ctx)
	defer stop()
	env := runEnv(nil, nil)
	r, err := secretsRules(ctx, env)
	if err != nil {
		return err
	}
	if err := secrets.RemoveStaleTemps(r.Dir); err != nil {
		return err
	}
	plan, err := secrets.PlanRekey(r, secrets.PlanOptions{Force: flag(force, false), Host: flag(host, "")})
	if err != nil {
		return err
	}
	secrets.RenderPlan(os.Stdout, plan)
	if len(plan) == 0 {
		return nil
	}
	var ids []age.Identity
	if secrets.NeedsKey(plan) {
		if ids, err = identities(identity); err != nil {
			return err
		}
	}
	res := secrets.Rekey(ctx, plan, ids, flag(parallelism, runtime.NumCPU()))
	fmt.Printf("rekeyed %d file(s)\n", len(res.Rekeyed))
	return res.Err()
}

// Rotate regenerates NAMES (comma-separated; default: every secret past due) with secrets/rotation.toml's generators, each a transaction through to its consumer: prepare it (restic: a key for the new password), write and deploy the .age file to its hosts, update and verify the consumer, drop the old value; a failure rolls back and prints what is left to do.
func (Secrets) Rotate(ctx context.Context, names *string) error {
	env := runEnv(nil, nil)
	r, err := secretsRules(ctx, env)
	if err != nil {
		return err
	}
	if err := secrets.RemoveStaleTemps(r.Dir); err != nil {
		return err
	}
	rot, err := secrets.LoadRotation(r)
	if err != nil {
		return err
	}
	var list []string
	if n := flag(names, ""); n != "" {
		list = strings.Split(n, ",")
	} else {
		for _, it := range rot.Schedule(time.Now()) {
			if it.Overdue {
				list = append(list, it.Name)
			}
		}
	}
	if len(list) == 0 {
		fmt.Println("no secret is due for rotation")
		return nil
	}
	// The whole inventory: the hosts each secret reaches are its recipients among them.
	return onHosts(ctx, env, "@all", func(ctx context.Context, f *inventory.Fleet, _ []*inventory.Host, e *command.Executor) error {
		d := rotation.Deploy{Fleet: f, Executor: e, Options: deploy.Options{Nix: env.Nix, Out: os.Stdout}}
		if _, err := forLocalFleet(env, &d.Options); err != nil {
			return err
		}
		if env.LocalFleet {
			lf, err := localfleet.Open(runenv.LocalFleetDir())
			if err != nil {
				return err
			}
			d.Stage = rotation.LocalFleetStage(lf, r, f)
		}
		var results []*rotation.Result
		for _, name := range list {
			if ctx.Err() != nil {
				break
			}
			results = append(results, rotation.Rotate(ctx, rotation.Options{Rules: r, Rotation: rot, Fleet: f, Executor: e,
				Deliver: d, Now: time.Now(), Rand: rand.Reader, Out: os.Stdout}, name))
		}
		return rotation.Report(os.Stdout, results)
	})
}

// Due lists the secrets past their rotation period (-all: the whole schedule); exits non-zero if any is due.
func (Secrets) Due(ctx context.Context, all *bool) error {
	env := runEnv(nil, nil)
	r, err := secretsRules(ctx, env)
	if err != nil {
		return err
	}
	rot, err := secrets.LoadRotation(r)
	if err != nil {
		return err
	}
	items := rot.Schedule(time.Now())
	if err := secrets.RenderSchedule(os.Stdout, items, !flag(all, false)); err != nil {
		return err
	}
	for _, it := range items {
		if it.Overdue {
			return errors.New("secrets due for rotation: run `go tool mage secrets:rotate`")
		}
	}
	return nil
}

// Audit shows which host and user keys can decrypt each secret, read from file headers without any private key.
func (Secrets) Audit(ctx context.Context) error {
	env := runEnv(nil, nil)
	r, err := secretsRules(ctx, env)
	if err != nil {
		return err
	}
	return secrets.RenderMatrix(os.Stdout, r, secrets.Audit(r))
}

// Check fails if any file is missing, unlisted, or encrypted to other keys than secrets.nix says, or if the NixOS configuration uses a secret secrets.nix lacks or a host's modules do not declare (for CI: no private key needed).
func (Secrets) Check(ctx context.Context) error {
	env := runEnv(nil, nil)
	r, err := secretsRules(ctx, env)
	if err != nil {
		return err
	}
	if err := secrets.Check(r); err != nil {
		return fmt.Errorf("secrets check failed:\n%w", err)
	}
	// The configuration beside the secrets directory: modules/, nix/ and hosts/ of the checkout.
	root := filepath.Dir(r.Dir)
	refs, hosts, err := r.CheckConfiguration(root)
	if err != nil {
		return fmt.Errorf("secrets check failed: %w", err)
	}
	fmt.Printf("secrets ok: %d files match %s; the %d secret references in %s are provisioned, and declared on the %d hosts that read them\n", len(r.Entries), r.Path, refs, strings.Join(secrets.ReferenceDirs, ", "), hosts)
	return nil
}

// HostKeys ssh-keyscans the SELECTION and shows where their host keys drift from secrets.nix.
func (Secrets) HostKeys(ctx context.Context, selection string) error {
	env := runEnv(nil, nil)
	r, err := secretsRules(ctx, env)
	if err != nil {
		return err
	}
	return fanOut(ctx, env, selection, parallel.Options{Name: "secrets-hostkeys", Limit: 16}, func(ctx context.Context, t *parallel.Task, h *inventory.Host, e *command.Executor) error {
		return secrets.HostKeysJob(ctx, t, e.Local(), r, h)
	})
}

// Status shows, over SSH, how agenix runs (agenix-install-secrets.service's state, or the
// activation script), where /run/agenix points and the decrypted files (names, modes, owners) on
// the SELECTION.
func (Secrets) Status(ctx context.Context, selection string) error {
	return fanOut(ctx, runEnv(nil, nil), selection, parallel.Options{Name: "secrets-status", Limit: 16}, secrets.StatusJob)
}

// Fix decrypts the secrets again on the SELECTION: it clears a failed
// agenix-install-secrets.service and restarts it, or re-runs the running system's activation
// where agenix is part of it.
func (Secrets) Fix(ctx context.Context, selection string) error {
	return fanOut(ctx, runEnv(nil, nil), selection, parallel.Options{Name: "secrets-fix", Limit: 16}, secrets.FixJob)
}
