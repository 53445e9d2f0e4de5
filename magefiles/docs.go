//go:build mage

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/internal/features"
	"github.com/nixos-hub/hub/internal/optionsdoc"
	"github.com/nixos-hub/hub/internal/targetdocs"
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

// Options regenerates docs/options.md, the reference of the options the hub's own modules declare (hub.*, every feature's, the exporters'): type, default, description and where each is declared, read from the declarations by the offline option check (no nixpkgs needed). -check fails instead of writing when the file is out of date (default false).
func (Docs) Options(ctx context.Context, check *bool) error {
	decls, err := optionsdoc.Load(ctx, ".")
	if err != nil {
		return err
	}
	if flag(check, false) {
		var b bytes.Buffer
		if err := optionsdoc.Write(&b, decls); err != nil {
			return err
		}
		if cur, err := os.ReadFile(optionsdoc.File); err != nil || !bytes.Equal(cur, b.Bytes()) {
			return fmt.Errorf("%s is out of date: run `go tool mage docs:options`", optionsdoc.File)
		}
		fmt.Printf("%s: up to date (%d options)\n", optionsdoc.File, len(decls))
		return nil
	}
	changed, err := optionsdoc.Update(optionsdoc.File, decls)
	if err != nil {
		return err
	}
	if changed {
		fmt.Printf("%s: updated (%d options)\n", optionsdoc.File, len(decls))
	} else {
		fmt.Printf("%s: already up to date (%d options)\n", optionsdoc.File, len(decls))
	}
	return nil
}
