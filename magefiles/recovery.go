//go:build mage

package main

import (
	"context"

	"github.com/magefile/mage/mg"
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
