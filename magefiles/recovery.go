//go:build mage

package main

import (
	"context"
	"fmt"
	"os"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/pkg/command"
	"github.com/nixos-hub/hub/pkg/generations"
)

// Recovery brings a host back: older generations, restores, reinstalls (docs/recovery.md).
type Recovery mg.Namespace

// Generations lists HOST's system generations, marking the current one.
func (Recovery) Generations(ctx context.Context, host string) error {
	e := newExecutor(nil)
	defer e.Close()
	h, err := recoveryHost(e, host)
	if err != nil {
		return err
	}
	gens, err := generations.List(ctx, h)
	if err != nil {
		return err
	}
	return generations.Write(os.Stdout, gens)
}

// Rollback makes HOST's -generation N (default: the one before the current) current and activates it with switch-to-configuration switch.
func (Recovery) Rollback(ctx context.Context, host string, generation *int) error {
	ctx, stop := interruptible(ctx)
	defer stop()
	e := newExecutor(nil)
	defer e.Close()
	h, err := recoveryHost(e, host)
	if err != nil {
		return err
	}
	g, err := generations.Rollback(ctx, h, flag(generation, 0))
	if err != nil {
		return err
	}
	fmt.Printf("%s: now on generation %d (%s), activated and the default boot entry\n", host, g.Number, g.Created.Format("2006-01-02 15:04:05"))
	return nil
}

func recoveryHost(e *command.Executor, name string) (*command.Host, error) {
	f, err := loadFleet()
	if err != nil {
		return nil, err
	}
	h, ok := f.Host(name)
	if !ok {
		return nil, fmt.Errorf("no host %q in %s (hosts: %v)", name, f.Dir, f.Names())
	}
	return e.SSH(h.Name, h.SSH), nil
}
