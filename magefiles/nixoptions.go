//go:build mage

package main

import (
	"context"
	"fmt"
	"os"

	"github.com/nixos-hub/hub/internal/nixoptions"
)

// OptionsManifest regenerates nix/options-25.11.json with nix eval over a real nixosSystem's options where the flake's inputs can be fetched, and says so in one line where they cannot.
func (Nix) OptionsManifest(ctx context.Context) error {
	return nixoptions.Regenerate(ctx, nixoptions.Regen{Root: "."}, os.Stdout)
}

// OptionsUsed lists every option path the hub's Nix sets (as evaluated) and reads (a source scan), the collect mode of the option check.
func (Nix) OptionsUsed(ctx context.Context) error {
	u, err := nixoptions.Collect(ctx, nixoptions.Options{Root: "."})
	if err != nil {
		return err
	}
	for _, p := range u.Set {
		fmt.Println("set ", p)
	}
	for _, p := range u.Reads {
		fmt.Println("read", p)
	}
	return nil
}

// NixOptions checks offline that the hub's Nix sets and reads only nixos-25.11 options, with values of the right kind (nix/options-25.11.json), reporting file:line.
func (Test) NixOptions(ctx context.Context) error { return runSuite(ctx, "nix-options") }
