//go:build mage

package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/internal/features"
)

// Features inspects and checks the feature registry (modules/features.toml) and each host's flags.
type Features mg.Namespace

// featuresLoad reads the registry and the flake's own hosts (always ./hosts: features describe
// the NixOS configurations this repository builds, whatever HUB_FLEET selects).
func featuresLoad() (*features.Registry, []features.Host, error) {
	reg, err := features.Load(features.RegistryPath("."))
	if err != nil {
		return nil, nil, err
	}
	hosts, err := features.LoadHosts(features.HostsDir("."))
	if err != nil {
		return nil, nil, err
	}
	return reg, hosts, nil
}

// List shows every feature by category with its classes, declared closure cost and description; -options (default false) adds each feature's options (name, type, default, description), read from the modules with nix-instantiate.
func (Features) List(ctx context.Context, options *bool) error {
	reg, _, err := featuresLoad()
	if err != nil {
		return err
	}
	var opts map[string][]features.Option
	if options != nil && *options {
		if opts, err = features.ReadOptions(ctx, ".", reg); err != nil {
			return fmt.Errorf("features:list -options: %w (install nix-instantiate, or list without -options)", err)
		}
	}
	return reg.WriteList(os.Stdout, opts)
}

// Show prints what NAME requires (directly and in all), what requires it, what it conflicts with,
// which hosts end up with it enabled, its declared cost and its options (read with
// nix-instantiate; said to be skipped without it).
func (Features) Show(ctx context.Context, name string) error {
	reg, hosts, err := featuresLoad()
	if err != nil {
		return err
	}
	info, err := reg.Show(name, hosts)
	if err != nil {
		return err
	}
	opts, err := features.ReadOptions(ctx, ".", reg)
	switch {
	case errors.Is(err, features.ErrNoNix):
		info.OptionsNote = "skipped: " + err.Error()
	case err != nil:
		return err
	default:
		info.Options = opts[name]
	}
	return features.WriteInfo(os.Stdout, info)
}

// Host prints HOST's resolved feature set with the reason each feature is on, and fails on its errors.
func (Features) Host(ctx context.Context, host string) error {
	reg, hosts, err := featuresLoad()
	if err != nil {
		return err
	}
	for _, h := range hosts {
		if h.Name == host {
			res := reg.Resolve(h)
			if err := features.WriteResolution(os.Stdout, host, res); err != nil {
				return err
			}
			if len(res.Errors) > 0 {
				return fmt.Errorf("host %s: %d feature errors", host, len(res.Errors))
			}
			return nil
		}
	}
	return fmt.Errorf("no host %q in %s", host, features.HostsDir("."))
}

// Graph prints the requires/conflicts graph by category: -format=dot (default, Graphviz) or -format=mermaid.
func (Features) Graph(ctx context.Context, format *string) error {
	reg, _, err := featuresLoad()
	if err != nil {
		return err
	}
	return reg.WriteGraph(os.Stdout, flag(format, features.FormatDOT))
}

// Check validates the registry graph and module files, every host's feature set, and, when
// nix-instantiate is installed, that nix/features.nix resolves every host exactly as Go does.
func (Features) Check(ctx context.Context) error {
	return features.CheckRepo(ctx, ".", os.Stdout)
}
