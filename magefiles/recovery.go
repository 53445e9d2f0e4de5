//go:build mage

package main

import (
	"context"
	"fmt"
	"os"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/recovery"
)

// Recovery brings a host back: older generations, restores, reinstalls (docs/recovery.md).
type Recovery mg.Namespace

// Generations lists HOST's system generations, marking the current, running and booted ones (same as deploy:generations).
func (Recovery) Generations(ctx context.Context, host string) error {
	return Deploy{}.Generations(ctx, host)
}

// Rollback makes HOST's -generation=N (default: the one before the current) current and activates it, through the deploy supervisor and lock (same as deploy:rollback).
func (Recovery) Rollback(ctx context.Context, host string, generation *int, yes *bool) error {
	return Deploy{}.Rollback(ctx, host, generation, yes, nil)
}

// Host brings a reinstalled HOST back after its name is typed (-yes without a terminal): re-keys its secrets to its new host key with the admin -identity, deploys it, restores every backup set in place with the passwords the identity decrypts, puts the SQLite databases back, reboots it and verifies each set.
func (Recovery) Host(ctx context.Context, host string, identity *string, yes *bool) error {
	env := runEnv(nil, nil)
	f, h, err := env.Host(host)
	if err != nil {
		return err
	}
	e := env.Executor()
	defer e.Close()
	guarded := *h
	guarded.Guarded = true // restoring in place overwrites whatever is there: always typed
	if _, err := deploy.ConfirmGuarded([]*inventory.Host{&guarded}, flag(yes, false), isTerminal(), os.Stdin, os.Stdout, "recover (restore in place on)"); err != nil {
		return err
	}
	ids, err := identities(identity)
	if err != nil {
		return err
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	opts := recovery.Options{
		RulesPath: secretsRulesPath(), Identities: ids,
		Deploy: deploy.Options{KeepGoing: true, Nix: env.Nix, Out: env.Out.Progress(), RunDir: runsDir},
	}
	rb, err := forLocalFleet(env, &opts.Deploy)
	if err != nil {
		return err
	}
	opts.Rebooter = rb
	res, err := recovery.Host(ctx, f, e, h, printer{}, opts)
	fmt.Println()
	if res != nil {
		if werr := res.WriteTable(os.Stdout); werr != nil {
			return werr
		}
	}
	return err
}
