//go:build mage

package main

import (
	"context"
	"fmt"
	"os"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/pkg/features"
	"github.com/nixos-hub/hub/pkg/targetdocs"
)

// Docs keeps generated documentation in step with the code.
type Docs mg.Namespace

// Targets regenerates the README's table of targets from the magefiles' doc comments.
func (Docs) Targets(ctx context.Context) error {
	changed, err := targetdocs.Update("magefiles", "README.md")
	if err != nil {
		return err
	}
	if changed {
		fmt.Println("README.md: target table updated")
	} else {
		fmt.Println("README.md: target table already up to date")
	}
	return nil
}

// Features regenerates docs/feature-catalogue.md (every feature with its classes, requirements, conflicts, declared cost, hosts and options) from modules/features.toml and the modules; needs nix-instantiate to read the options.
func (Docs) Features(ctx context.Context) error {
	changed, err := features.UpdateCatalogue(ctx, ".")
	if err != nil {
		return err
	}
	if changed {
		fmt.Println(features.CataloguePath(".") + ": updated")
	} else {
		fmt.Println(features.CataloguePath(".") + ": already up to date")
	}
	return nil
}

// Help explains TARGET (e.g. help deploy:hosts): its usage, its whole description, and every argument with its type and the default the target uses when a flag is not given (mage -h shows names and types only).
func Help(ctx context.Context, target string) error {
	ts, err := targetdocs.Targets("magefiles")
	if err != nil {
		return err
	}
	t, err := targetdocs.Find(ts, target)
	if err != nil {
		return err
	}
	return targetdocs.Help(os.Stdout, t)
}
