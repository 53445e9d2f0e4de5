//go:build mage

package main

import (
	"context"
	"fmt"

	"github.com/magefile/mage/mg"

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
