//go:build mage

package main

import (
	"context"
	"os"
	"slices"

	"github.com/nixos-hub/hub/internal/format"
	"github.com/nixos-hub/hub/internal/sysdeps"
)

// Fmt formats the sources in place: Go with gofmt, Nix with nixfmt or nixpkgs-fmt (whichever is on PATH; Debian has neither, so Nix is SKIPPED, an error, until one is installed), shell scripts with shfmt (installed when missing, as root). -paths P,Q files or directories (default: the whole tree, without testdata and dot directories); -only go,nix,shell languages (default: all three); -check lists the files not formatted, writes nothing and exits non-zero when there are any.
func Fmt(ctx context.Context, paths *string, only *string, check *bool) error {
	env := runEnv(nil, nil)
	ctx, stop := interruptible(ctx)
	defer stop()
	langs := splitList(flag(only, ""))
	if len(langs) == 0 || slices.Contains(langs, "shell") {
		if err := sysdeps.Ensure(ctx, []sysdeps.Tool{sysdeps.Shfmt}, os.Stdout); err != nil {
			return err
		}
	}
	res, err := format.Run(ctx, env.Executor().Local(), format.Options{Root: abs("."), Paths: splitList(flag(paths, "")), Only: langs, Check: flag(check, false)})
	if err != nil {
		return err
	}
	format.Write(os.Stdout, res, flag(check, false))
	return format.Err(res, flag(check, false))
}
