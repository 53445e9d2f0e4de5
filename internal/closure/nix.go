package closure

import (
	"context"
	"fmt"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

// The package's nix command lines, in one place.

// pathInfo: every path of the closure with its NAR and closure size, as JSON, in h's store.
// The settings are the real fleet's (the flake CLI flag only: the hosts' own configuration is
// otherwise theirs), before the subcommand as nix path-info has always been called here.
func pathInfo(h *command.Host, system string) (nix.Nix, command.Cmd) {
	n := nix.On(h, nix.Real())
	return n, n.Cmd("nix", nil, "path-info", "--recursive", "--size", "--closure-size", "--json", system)
}

// BuildNext evaluates host's next system from flake and realises it in local's store with the
// fleet's settings, for Next. It returns the system's store path.
func BuildNext(ctx context.Context, local *command.Host, flake, host string, settings nix.Settings) (string, error) {
	n := nix.On(local, settings)
	systems, err := n.Toplevels(ctx, flake, []string{host}, nix.EvalOptions{})
	if err != nil {
		return "", err
	}
	sys := systems[host]
	if _, err := n.Realise(ctx, []string{sys.Drv}, nix.RealiseOptions{}); err != nil {
		return "", fmt.Errorf("%s: build %s: %w", host, base(sys.Out), err)
	}
	return sys.Out, nil
}
