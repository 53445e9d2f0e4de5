//go:build mage

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/magefile/mage/mg"
	"github.com/nixos-hub/hub/internal/devshell"
	"github.com/nixos-hub/hub/internal/nix"
)

// Dev holds the per-project development shells.
type Dev mg.Namespace

// Shell enters devShells.<system>.LANG of this flake with `nix develop`: the toolchain, language server and formatters the host feature lang-LANG installs (nix/languages.nix). -command="CMD ARGS" runs CMD inside the shell instead of an interactive one (default: interactive). Exits non-zero saying SKIPPED when nixpkgs cannot be fetched.
func (Dev) Shell(ctx context.Context, lang string, command *string) error {
	err := devshell.Enter(ctx, devshell.Options{
		Root:         ".",
		Language:     lang,
		Command:      strings.Fields(flag(command, "")),
		ProbeTimeout: 2 * time.Minute,
		Settings:     nix.Real(),
	})
	var skip *devshell.SkipError
	if errors.As(err, &skip) {
		return fmt.Errorf("dev:shell %s %w", lang, skip)
	}
	return err
}

// Languages lists the languages dev:shell accepts, with their packages (the same as lang-NAME's).
func (Dev) Languages(ctx context.Context) error {
	langs, err := devshell.Languages(ctx, ".")
	if err != nil {
		return err
	}
	for _, l := range langs {
		fmt.Fprintf(os.Stdout, "%-11s %s\n            %s\n", l.Name, l.Description, strings.Join(l.Packages, " "))
	}
	return nil
}
