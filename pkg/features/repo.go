package features

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/nixos-hub/hub/pkg/inventory"
)

// CheckRepo runs every check of the repository at root: the registry graph and module files,
// every host's feature set, and, when nix-instantiate is installed, that nix/features.nix resolves
// every host exactly as Go does. It is features:check and the features suite of test:parallel.
func CheckRepo(ctx context.Context, root string, out io.Writer) error {
	reg, err := Load(RegistryPath(root))
	if err != nil {
		return err
	}
	problems := reg.Check()
	hosts, err := LoadHosts(HostsDir(root))
	if err != nil {
		problems = append(problems, err)
	} else {
		problems = append(problems, reg.CheckHosts(hosts)...)
		// Loaded once more for what only the inventory has: [[backup]] sets and [[microvm]]
		// guests against the features that run them, and the guests' own features.
		if fleet, err := inventory.Load(HostsDir(root)); err == nil {
			problems = append(problems, fleet.CheckBackupFeature()...)
			problems = append(problems, fleet.CheckMicroVMFeature()...)
			problems = append(problems, reg.CheckGuests(fleet)...)
		}
		if NixAvailable() {
			problems = append(problems, reg.CompareWithNix(ctx, root, hosts)...)
			fmt.Fprintf(out, "nix/features.nix agrees with Go on %d hosts\n", len(hosts))
		} else {
			fmt.Fprintln(out, "nix-instantiate not found: skipped comparing with nix/features.nix")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("features: %d problems:\n%w", len(problems), errors.Join(problems...))
	}
	fmt.Fprintf(out, "features ok: %d features, %d hosts\n", len(reg.Features), len(hosts))
	return nil
}
