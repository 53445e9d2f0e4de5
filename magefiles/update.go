//go:build mage

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/runenv"
	"github.com/nixos-hub/hub/internal/update"
)

// Update is the update workflow: what the flake's inputs are locked to and how far upstream moved, what a new lock changes per host, and committing it (docs/update.md).
type Update mg.Namespace

// Check lists every flake.lock input with its locked revision and date, the newest upstream revision (git ls-remote of the branch or tag it follows, all inputs at once), the commits behind and a state; exits non-zero when an input is stale or upstream cannot be asked. -maxAge AGE: how old a locked revision may be while upstream has newer ones (default 30d; also 2w, 36h). -timeout D: per input's git calls (default 1m). -json: the report as JSON on stdout (progress on stderr).
func (Update) Check(ctx context.Context, maxAge *string, timeout *time.Duration, json *bool) error {
	env := runEnv(json, nil)
	age, err := update.ParseAge(flag(maxAge, "30d"))
	if err != nil {
		return err
	}
	f, err := env.LoadFleet()
	if err != nil {
		return err
	}
	dir, err := update.FlakeDir(f.Flake)
	if err != nil {
		return err
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	e := env.Executor()
	defer e.Close()
	settings := env.Nix
	rep, err := update.Check(ctx, e, filepath.Join(dir, "flake.lock"), update.CheckOptions{
		MaxAge: age, Timeout: flag(timeout, time.Minute), NixSettings: &settings, Out: env.Out.Progress(), RunDir: runsDir,
	})
	if err != nil {
		return err
	}
	if env.Out.JSON {
		err = update.WriteCheckJSON(os.Stdout, rep)
	} else {
		err = update.WriteCheck(os.Stdout, rep)
	}
	if err != nil {
		return err
	}
	return rep.Err()
}

// Preview shows what updating the lock would change on each host, changing nothing: the lock is updated in a scratch worktree of HEAD (never your tree, index or branch), the SELECTION's systems are evaluated and built once, and each is compared with what the host runs: packages added/removed/upgraded with versions, closure size, reboot needed, NixOS warnings new since the old lock. INPUTS: comma-separated flake.lock inputs to update ("nixpkgs,agenix"; "agenix/systems" for an input's input), "" or "all" for every input. SELECTION: hosts as for deploy:hosts ('*' for all). -json: the result as JSON on stdout (steps on stderr).
func (Update) Preview(ctx context.Context, inputs, selection string, json *bool) error {
	env := runEnv(json, nil)
	return onHosts(ctx, env, selection, func(ctx context.Context, f *inventory.Fleet, hosts []*inventory.Host, e *command.Executor) error {
		r, err := update.Preview(ctx, e, f, hosts, updateOptions(env, inputs))
		if err != nil {
			return err
		}
		return writeUpdate(env, r)
	})
}

// Apply runs update:preview for every host, then commits the new flake.lock on top of HEAD on a new branch (default update/<UTC date>) whose message lists every input change and each host's package changes; your working tree, index and current branch stay as they are. Refuses uncommitted changes to tracked files and an existing branch; a failure or Ctrl-C leaves no branch. INPUTS: as for update:preview. -branch NAME: the branch to create. -json: the result as JSON on stdout.
func (Update) Apply(ctx context.Context, inputs string, branch *string, json *bool) error {
	env := runEnv(json, nil)
	f, hosts, err := env.Select("*")
	if err != nil {
		return err
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	e := env.Executor()
	defer e.Close()
	r, err := update.Apply(ctx, e, f, hosts, update.ApplyOptions{Options: updateOptions(env, inputs), Branch: flag(branch, "")})
	if err != nil {
		return err
	}
	return writeUpdate(env, r)
}

// updateOptions are the options of update:preview and update:apply: INPUTS parsed, the nix
// settings of the fleet the environment selects, steps on stderr.
func updateOptions(env runenv.Env, inputs string) update.Options {
	settings := env.Nix
	var list []string
	if inputs != "all" {
		list = splitList(inputs)
	}
	return update.Options{Inputs: list, NixSettings: &settings, Log: os.Stderr}
}

func writeUpdate(env runenv.Env, r *update.Result) error {
	if env.Out.JSON {
		return update.WritePreviewJSON(os.Stdout, r)
	}
	return update.WritePreview(os.Stdout, r)
}

// Deploy runs the production update: update:apply on a branch (default update/<UTC date>; an existing unmerged one is resumed instead), then the branch's commit deployed to the SELECTION through the deploy engine, canary first, then batches, each host health-gated with magic rollback; when every host runs it, -main (default main) is fast-forwarded to it and pushed to its remote if it has one. On any failure the failed hosts are rolled back, main is left alone, the branch kept, and the error names each host, phase and reason: fix it and run the same command again, hosts already on the new systems are skipped. A PR-ready description goes to the run directory (pr.md). Needs a clean tree on the tip of main. INPUTS: as for update:preview. Flags as for deploy:hosts: -canary HOST|first (default first), -batch N, -maxUnavailable N, -reboot, -limit N, -confirmTimeout D, -buildOn, -buildHost, -substitute, -force, -rollbackDone, -yes (guarded hosts without a terminal); -branch NAME, -main NAME, -json.
func (Update) Deploy(ctx context.Context, inputs, selection string, json *bool, limit *int, canary *string, batch, maxUnavailable *int,
	reboot, yes *bool, confirmTimeout *time.Duration, buildOn, buildHost *string, substitute, force, rollbackDone *bool, branch, main *string) error {
	env := runEnv(json, nil)
	f, hosts, err := env.Select(selection)
	if err != nil {
		return err
	}
	skip, err := deploy.ConfirmGuarded(hosts, flag(yes, false), isTerminal(), os.Stdin, os.Stderr, "update")
	if err != nil {
		return err
	}
	if len(skip) > 0 {
		// A skipped host would look done to the merge: the update goes to every host or to none.
		return errors.New("update:deploy merges only when every selected host runs the update, and guarded hosts cannot be confirmed without a terminal: run it interactively, pass -yes, or leave them out of the selection")
	}
	c := flag(canary, "first")
	if c == "first" {
		c = hosts[0].Name
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	e := env.Executor()
	defer e.Close()
	settings := env.Nix
	dopts := deploy.Options{
		Action: deploy.Switch, Limit: flag(limit, 0), KeepGoing: true, Canary: c, Batch: flag(batch, 0),
		MaxUnavailable: flag(maxUnavailable, 0), Reboot: flag(reboot, false), ConfirmTimeout: flag(confirmTimeout, 0),
		BuildOn: flag(buildOn, ""), BuildHost: flag(buildHost, ""), Substitute: flag(substitute, false), Force: flag(force, false),
		RollbackDone: flag(rollbackDone, false), Nix: settings, Out: env.Out.Progress(), RunDir: runsDir,
	}
	if _, err := forLocalFleet(env, &dopts); err != nil {
		return err
	}
	fr, err := update.Deploy(ctx, e, f, hosts, update.DeployOptions{
		ApplyOptions: update.ApplyOptions{Options: updateOptions(env, inputs), Branch: flag(branch, "")},
		Main:         flag(main, "main"),
		Deploy:       dopts,
	})
	if fr == nil {
		return err
	}
	if env.Out.JSON {
		if jerr := update.WriteFlowJSON(os.Stdout, fr); jerr != nil {
			return jerr
		}
		return err
	}
	if fr.Update != nil {
		if werr := update.WritePreview(os.Stdout, fr.Update); werr != nil {
			return werr
		}
	}
	if fr.Deploy != nil && fr.Deploy.Report != nil {
		fmt.Println()
		if werr := fr.Deploy.Report.WriteTable(os.Stdout); werr != nil {
			return werr
		}
		if fr.Deploy.Report.RunDir != "" {
			fmt.Printf("\nPR description: %s\n", filepath.Join(fr.Deploy.Report.RunDir, "pr.md"))
		}
	}
	if fr.Merged {
		fmt.Printf("%s fast-forwarded to %s (%s)", flag(main, "main"), fr.Branch, fr.Commit)
		if fr.Pushed != "" {
			fmt.Printf(", pushed to %s", fr.Pushed)
		}
		fmt.Println()
	}
	return err
}
