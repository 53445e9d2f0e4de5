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
	"golang.org/x/term"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/runenv"
)

// Deploy deploys NixOS systems to the fleet: parallel, health-gated, with magic rollback.
type Deploy mg.Namespace

// All deploys (switch) every host in parallel; flags as for deploy:hosts.
func (Deploy) All(ctx context.Context, dry, json *bool, limit *int, keepGoing *bool, canary *string, batch, maxUnavailable *int,
	reboot, yes *bool, confirmTimeout *time.Duration, buildOn, buildHost *string, substitute, force, rollbackDone, confirm *bool) error {
	return runDeploy(ctx, runEnv(json, dry), "*", deploy.Switch, false, deployFlags{limit, keepGoing, canary, batch, maxUnavailable, reboot, yes,
		confirmTimeout, buildOn, buildHost, substitute, force, rollbackDone, confirm})
}

// Hosts deploys (switch) the SELECTION: one eval and build, then per host copy, lock, activation with magic rollback and health gates. -canary HOST|first deploys that host alone first; -batch N then deploys N at a time, a failed batch stopping the rollout (-rollbackDone also rolls back the hosts already done); -maxUnavailable N hosts reboot at once with -reboot, which reboots hosts whose kernel, initrd, modules or systemd changed; -buildOn local|target|host and -buildHost NAME override host.toml's build place; -substitute lets targets fetch from their caches during the copy; -limit N hosts at once (0: all); -keepGoing=false makes one failure cancel the rest; -confirmTimeout D overrides deploy.confirm_timeout; -yes confirms guarded hosts (without a terminal they are skipped otherwise); -force breaks a stale deploy lock; -confirm shows deploy:plan's table first and deploys only when "yes" is typed; -dry prints the commands and runs nothing; -json writes the report as JSON.
func (Deploy) Hosts(ctx context.Context, selection string, dry, json *bool, limit *int, keepGoing *bool, canary *string, batch, maxUnavailable *int,
	reboot, yes *bool, confirmTimeout *time.Duration, buildOn, buildHost *string, substitute, force, rollbackDone, confirm *bool) error {
	return runDeploy(ctx, runEnv(json, dry), selection, deploy.Switch, false, deployFlags{limit, keepGoing, canary, batch, maxUnavailable, reboot, yes,
		confirmTimeout, buildOn, buildHost, substitute, force, rollbackDone, confirm})
}

// Boot makes the SELECTION's new systems the boot default without activating them (-reboot to boot them).
func (Deploy) Boot(ctx context.Context, selection string, dry, json *bool, limit *int, keepGoing *bool, canary *string, batch, maxUnavailable *int,
	reboot, yes *bool, buildOn, buildHost *string, substitute, force, confirm *bool) error {
	return runDeploy(ctx, runEnv(json, dry), selection, deploy.Boot, false, deployFlags{limit, keepGoing, canary, batch, maxUnavailable, reboot, yes,
		nil, buildOn, buildHost, substitute, force, nil, confirm})
}

// Test activates the SELECTION's new systems without changing the boot default (magic rollback applies).
func (Deploy) Test(ctx context.Context, selection string, dry, json *bool, limit *int, keepGoing *bool, canary *string, batch *int,
	yes *bool, confirmTimeout *time.Duration, buildOn, buildHost *string, substitute, force *bool) error {
	return runDeploy(ctx, runEnv(json, dry), selection, deploy.Test, false, deployFlags{limit, keepGoing, canary, batch, nil, nil, yes,
		confirmTimeout, buildOn, buildHost, substitute, force, nil, nil})
}

// DryActivate shows what activating the SELECTION's new systems would restart, changing nothing.
func (Deploy) DryActivate(ctx context.Context, selection string, json *bool, limit *int, buildOn, buildHost *string) error {
	yes := true
	return runDeploy(ctx, runEnv(json, nil), selection, deploy.DryActivate, false, deployFlags{limit: limit, yes: &yes, buildOn: buildOn, buildHost: buildHost})
}

// Emergency deploys HOST skipping the boot space and health checks, after its name is typed (lock and magic rollback stay).
func (Deploy) Emergency(ctx context.Context, host string, confirmTimeout *time.Duration, buildOn, buildHost *string, force *bool) error {
	env := runEnv(nil, nil)
	_, hosts, err := env.Select(host)
	if err != nil {
		return err
	}
	if len(hosts) != 1 || hosts[0].Name != host {
		return fmt.Errorf("deploy:emergency takes one host name, not a selection (got %d hosts)", len(hosts))
	}
	guarded := *hosts[0]
	guarded.Guarded = true // always typed, whatever host.toml says
	if _, err := deploy.ConfirmGuarded([]*inventory.Host{&guarded}, false, isTerminal(), os.Stdin, os.Stdout, "emergency-deploy"); err != nil {
		return err
	}
	yes := true
	return runDeploy(ctx, env, host, deploy.Switch, true, deployFlags{yes: &yes, confirmTimeout: confirmTimeout, buildOn: buildOn, buildHost: buildHost, force: force})
}

// Plan shows per host what a deploy of the SELECTION would change: store paths, closure size, packages, reboot.
func (Deploy) Plan(ctx context.Context, selection string) error {
	env := runEnv(nil, nil)
	return onHosts(ctx, env, selection, func(ctx context.Context, f *inventory.Fleet, hosts []*inventory.Host, e *command.Executor) error {
		plans, err := deploy.Plan(ctx, f, e, hosts, env.Nix, 30*time.Second)
		if err != nil {
			return err
		}
		return deploy.WritePlan(os.Stdout, plans)
	})
}

// ShowBuild shows, for each host of the SELECTION, what deploying it would build and what it would fetch from the binary caches (with nix's download and unpacked sizes), building and fetching nothing (one evaluation, then nix-store --realise --dry-run per host); -verbose lists every derivation and path.
func (Deploy) ShowBuild(ctx context.Context, selection string, verbose *bool) error {
	env := runEnv(nil, nil)
	return onHosts(ctx, env, selection, func(ctx context.Context, f *inventory.Fleet, hosts []*inventory.Host, e *command.Executor) error {
		work, err := deploy.Work(ctx, f, e.Local(), hosts, env.Nix)
		if err != nil {
			return err
		}
		return deploy.WriteWork(os.Stdout, work, flag(verbose, false))
	})
}

// confirmPlan shows what the deploy would change (deploy:plan: built locally, compared with the
// running systems) and asks for "yes" on the terminal before anything reaches a host.
func confirmPlan(ctx context.Context, env runenv.Env, f *inventory.Fleet, e *command.Executor, hosts []*inventory.Host, skip map[string]string) error {
	if !isTerminal() {
		return errors.New("-confirm asks on a terminal and there is none: run deploy:plan, then deploy without -confirm")
	}
	var todo []*inventory.Host
	for _, h := range hosts {
		if _, s := skip[h.Name]; !s {
			todo = append(todo, h)
		}
	}
	plans, err := deploy.Plan(ctx, f, e, todo, env.Nix, 30*time.Second)
	if err != nil {
		return err
	}
	return deploy.ConfirmPlan(os.Stdin, os.Stderr, plans)
}

// Diff lists the packages added, removed and upgraded between HOST's running system and its new one.
func (Deploy) Diff(ctx context.Context, host string) error {
	env := runEnv(nil, nil)
	return onHosts(ctx, env, host, func(ctx context.Context, f *inventory.Fleet, hosts []*inventory.Host, e *command.Executor) error {
		plans, err := deploy.Plan(ctx, f, e, hosts[:1], env.Nix, 30*time.Second)
		if err != nil {
			return err
		}
		p := plans[0]
		if p.Err != nil {
			return p.Err
		}
		fmt.Printf("%s: %s -> %s\n", p.Host, filepath.Base(p.Running), filepath.Base(p.New))
		if len(p.Changes) == 0 {
			fmt.Println("no package changes")
			return nil
		}
		return deploy.WriteChanges(os.Stdout, p.Changes)
	})
}

// Rollback switches HOST back to its previous system generation, or to -generation N.
func (Deploy) Rollback(ctx context.Context, host string, generation *int, yes, force *bool) error {
	env := runEnv(nil, nil)
	h, e, err := oneHost(env, host)
	if err != nil {
		return err
	}
	defer e.Close()
	if _, err := deploy.ConfirmGuarded([]*inventory.Host{h}, flag(yes, false), isTerminal(), os.Stdin, os.Stdout, "roll back"); err != nil {
		return err
	}
	g, err := deploy.Rollback(ctx, e.SSH(h.Name, h.SSH), deploy.RollbackOptions{Generation: flag(generation, 0), Force: flag(force, false),
		StepTimeout: h.Deploy.StepTimeout, ActivationTimeout: h.Deploy.ActivationTimeout})
	if err != nil {
		return err
	}
	fmt.Printf("%s: now running generation %d (%s)\n", h.Name, g.Number, filepath.Base(g.Path))
	return nil
}

// Status shows the SELECTION's running and booted systems, profile generation, reboot needed and last deploy.
func (Deploy) Status(ctx context.Context, selection string) error {
	env := runEnv(nil, nil)
	_, hosts, err := env.Select(selection)
	if err != nil {
		return err
	}
	e := env.Executor()
	defer e.Close()
	rows := deploy.Status(ctx, e, hosts, 30*time.Second)
	if err := deploy.WriteStatus(os.Stdout, rows); err != nil {
		return err
	}
	for _, r := range rows {
		if r.Err != nil {
			return fmt.Errorf("some hosts are unreachable (see above)")
		}
	}
	return nil
}

// Generations lists HOST's system profile generations with the running, booted and default one marked.
func (Deploy) Generations(ctx context.Context, host string) error {
	env := runEnv(nil, nil)
	h, e, err := oneHost(env, host)
	if err != nil {
		return err
	}
	defer e.Close()
	gens, err := deploy.Generations(ctx, e.SSH(h.Name, h.SSH))
	if err != nil {
		return err
	}
	return deploy.WriteGenerations(os.Stdout, gens)
}

type deployFlags struct {
	limit                           *int
	keepGoing                       *bool
	canary                          *string
	batch, maxUnavailable           *int
	reboot, yes                     *bool
	confirmTimeout                  *time.Duration
	buildOn, buildHost              *string
	substitute, force, rollbackDone *bool
	confirm                         *bool
}

func runDeploy(ctx context.Context, env runenv.Env, selection string, action deploy.Action, emergency bool, fl deployFlags) error {
	f, hosts, err := env.Select(selection)
	if err != nil {
		return err
	}
	// The question goes to stderr: with -json, stdout carries only the report.
	skip, err := deploy.ConfirmGuarded(hosts, flag(fl.yes, false), isTerminal(), os.Stdin, os.Stderr, string(action))
	if err != nil {
		return err
	}
	canary := flag(fl.canary, "")
	if canary == "first" {
		canary = hosts[0].Name
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	e := env.Executor()
	defer e.Close()
	if env.Out.JSON {
		e.Out = os.Stderr // -dry's commands, which go to stdout by default, would break the JSON
	}
	// A sudo password is asked before the progress view starts drawing.
	if err := askSudoFirst(e, hosts, skip); err != nil {
		return err
	}
	// -dry changes nothing, so it needs no confirmation; the plan shares the deploy's ssh masters.
	if flag(fl.confirm, false) && !e.DryRun {
		if err := confirmPlan(ctx, env, f, e, hosts, skip); err != nil {
			return err
		}
	}
	opts := deploy.Options{
		Action: action, Limit: flag(fl.limit, 0), KeepGoing: flag(fl.keepGoing, true), Canary: canary,
		Batch: flag(fl.batch, 0), MaxUnavailable: flag(fl.maxUnavailable, 0), Reboot: flag(fl.reboot, false),
		ConfirmTimeout: flag(fl.confirmTimeout, 0), BuildOn: flag(fl.buildOn, ""), BuildHost: flag(fl.buildHost, ""),
		Substitute: flag(fl.substitute, false), Force: flag(fl.force, false), RollbackDone: flag(fl.rollbackDone, false),
		Emergency: emergency, Nix: env.Nix, Out: env.Out.Progress(), RunDir: runsDir, Skip: skip,
	}
	if _, err := forLocalFleet(env, &opts); err != nil {
		return err
	}
	res, err := deploy.Run(ctx, f, e, hosts, opts)
	if res == nil {
		return err
	}
	if res.Stopped != "" {
		fmt.Fprintln(os.Stderr, res.Stopped)
	}
	if res.Rollback != nil {
		if env.Out.JSON {
			// stdout carries one JSON document, the deploy's; the rollback table goes to stderr.
			fmt.Fprintln(os.Stderr, "\nrollback of the hosts already done (-rollbackDone):")
			if werr := res.Rollback.WriteTable(os.Stderr); werr != nil {
				return werr
			}
			if n := res.Rollback.Failed(); n > 0 {
				err = fmt.Errorf("rolling back the hosts already done failed on %d of them: see the table on stderr", n)
			}
		} else if rerr := env.Out.Report(res.Rollback, nil); rerr != nil {
			err = rerr
		}
	}
	return env.Out.Report(res.Report, err)
}

// oneHost is loadHost with the executor a single-host target runs through.
func oneHost(env runenv.Env, name string) (*inventory.Host, *command.Executor, error) {
	_, h, err := env.Host(name)
	if err != nil {
		return nil, nil, err
	}
	return h, env.Executor(), nil
}

func isTerminal() bool { return term.IsTerminal(int(os.Stdin.Fd())) }

// askSudoFirst asks the sudo password now when a host that deploys needs one (ssh.sudo_password).
func askSudoFirst(e *command.Executor, hosts []*inventory.Host, skip map[string]string) error {
	if e.DryRun {
		return nil
	}
	for _, h := range hosts {
		if _, skipped := skip[h.Name]; !skipped && h.SSH.Sudo && h.SSH.SudoPass {
			if err := e.Sudo.Prepare(h.Name); err != nil {
				return fmt.Errorf("%s: sudo password: %w", h.Name, err)
			}
			return nil
		}
	}
	return nil
}
