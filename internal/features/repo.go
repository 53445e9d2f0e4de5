package features

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/nixos-hub/hub/internal/durablefile"
	"github.com/nixos-hub/hub/internal/inventory"
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
		var guests []Host
		if fleet, err := inventory.Load(HostsDir(root)); err == nil {
			problems = append(problems, fleet.CheckBackupFeature()...)
			problems = append(problems, fleet.CheckMicroVMFeature()...)
			problems = append(problems, reg.CheckGuests(fleet)...)
			guests = Guests(fleet)
		}
		if profiles, err := LoadProfiles(ProfilesPath(root)); err != nil {
			problems = append(problems, err)
		} else {
			// A guest enables features as a host does (its hardware profile, at least).
			problems = append(problems, reg.CheckUsed(slices.Concat(hosts, guests), profiles, ProfilesPath(root))...)
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

// CataloguePath is the generated feature catalogue of the repository at root.
func CataloguePath(root string) string { return filepath.Join(root, "docs", "feature-catalogue.md") }

// RenderCatalogue builds docs/feature-catalogue.md for the repository at root: the registry, the
// options its modules declare (ReadOptions, so it needs nix-instantiate) and the hosts.
func RenderCatalogue(ctx context.Context, root string) ([]byte, error) {
	reg, err := Load(RegistryPath(root))
	if err != nil {
		return nil, err
	}
	hosts, err := LoadHosts(HostsDir(root))
	if err != nil {
		return nil, err
	}
	opts, err := ReadOptions(ctx, root, reg)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := reg.WriteCatalogue(&b, opts, hosts); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// UpdateCatalogue rewrites docs/feature-catalogue.md (atomically) when it differs from what
// RenderCatalogue produces, and says whether it did.
func UpdateCatalogue(ctx context.Context, root string) (bool, error) {
	next, err := RenderCatalogue(ctx, root)
	if err != nil {
		return false, err
	}
	path := CataloguePath(root)
	if cur, err := os.ReadFile(path); err == nil && bytes.Equal(cur, next) {
		return false, nil
	}
	// Atomic: a reader (or a crash) never sees half a catalogue.
	if err := durablefile.Write(path, next, 0o644); err != nil {
		return false, fmt.Errorf("feature catalogue: %w", err)
	}
	return true, nil
}
