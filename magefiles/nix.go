//go:build mage

package main

import (
	"context"
	"fmt"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/internal/vendorhash"
)

// Nix keeps the flake's packaging in step with the Go module.
type Nix mg.Namespace

// VendorHash recomputes the flake's buildGoModule vendorHash (nix/vendor-hash.nix) from go.mod and go.sum.
func (Nix) VendorHash(ctx context.Context) error {
	env := runEnv(nil, nil)
	e := env.Executor()
	old, fresh, err := vendorhash.Update(ctx, e.Local(), ".")
	if err != nil {
		return err
	}
	if old == fresh {
		fmt.Printf("%s already up to date: %s\n", vendorhash.File, fresh)
	} else {
		fmt.Printf("%s: %s -> %s\n", vendorhash.File, old, fresh)
	}
	return nil
}
