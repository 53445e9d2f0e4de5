//go:build mage

package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/nixos-hub/hub/internal/closure"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/inventory"
)

// History diffs two generations of HOST's system profile (the old system-diff): kernel, closure size, systemd units added/removed/changed, packages added/removed/upgraded with versions. -from N -to M: generation numbers (see deploy:generations); by default the profile's current generation and the one before it.
func (Deploy) History(ctx context.Context, host string, from, to *int) error {
	env := runEnv(nil, nil)
	h, e, err := oneHost(env, host)
	if err != nil {
		return err
	}
	defer e.Close()
	d, err := deploy.History(ctx, e.SSH(h.Name, h.SSH), flag(from, 0), flag(to, 0))
	if err != nil {
		return err
	}
	return deploy.WriteHistory(os.Stdout, d)
}

// Prune frees /boot and the store on HOST (the old boot-space-clean): under the deploy lock it deletes the system generations but the newest -keep N (default 3; the running and the booted one are always kept), collects garbage, and rewrites the boot entries with the current generation's switch-to-configuration boot. Deleted generations are gone for deploy:rollback and the boot menu. -force breaks a stale deploy lock; -yes for a guarded host without a terminal.
func (Deploy) Prune(ctx context.Context, host string, keep *int, force, yes *bool) error {
	env := runEnv(nil, nil)
	h, e, err := oneHost(env, host)
	if err != nil {
		return err
	}
	defer e.Close()
	if _, err := deploy.ConfirmGuarded([]*inventory.Host{h}, flag(yes, false), isTerminal(), os.Stdin, os.Stdout, "prune the generations of"); err != nil {
		return err
	}
	res, err := deploy.Prune(ctx, e.SSH(h.Name, h.SSH), deploy.PruneOptions{Keep: flag(keep, 3), Force: flag(force, false),
		StepTimeout: h.Deploy.StepTimeout, ActivationTimeout: h.Deploy.ActivationTimeout})
	if err != nil {
		return err
	}
	deleted := make([]string, len(res.Deleted))
	for i, n := range res.Deleted {
		deleted[i] = fmt.Sprint(n)
	}
	if len(deleted) == 0 {
		deleted = []string{"none"}
	}
	fmt.Printf("%s: deleted generations %s; %s; boot entries rewritten\n\n", h.Name, strings.Join(deleted, " "), res.GC)
	return deploy.WriteGenerations(os.Stdout, res.Kept)
}

// Analyze shows where HOST's system spends its space (the old analyze): the -top N largest store paths of its closure (default 10) with their own and closure sizes, and what grew, appeared or went since the generation before it, by package; read on the host over ssh. -next evaluates and builds HOST's next system here and compares it with the running one instead. -json for machines (every change, not only the top).
func (Deploy) Analyze(ctx context.Context, host string, top *int, next *bool, json *bool) error {
	env := runEnv(json, nil)
	ctx, stop := interruptible(ctx)
	defer stop()
	h, e, err := oneHost(env, host)
	if err != nil {
		return err
	}
	defer e.Close()
	n := flag(top, 10)
	if n < 1 {
		return fmt.Errorf("-top %d: give at least 1", n)
	}
	remote := e.SSH(h.Name, h.SSH)
	var a closure.Analysis
	if flag(next, false) {
		f, err := env.LoadFleet()
		if err != nil {
			return err
		}
		out, err := closure.BuildNext(ctx, e.Local(), f.Flake, h.Name, env.Nix)
		if err != nil {
			return err
		}
		a, err = closure.Next(ctx, e.Local(), remote, out, n)
		if err != nil {
			return err
		}
	} else if a, err = closure.Current(ctx, remote, n); err != nil && !e.DryRun {
		return err
	}
	if dryRunNoResult(e) {
		return nil
	}
	if env.Out.JSON {
		return env.Out.WriteJSON(a)
	}
	return closure.Write(os.Stdout, a, n)
}
