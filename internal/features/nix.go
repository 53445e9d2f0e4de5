package features

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

// nixExpr evaluates nix/features.nix the way the flake does (builtins.fromTOML on both files), so
// the comparison covers the TOML parsing too.
const nixExpr = `{ featuresNix, registryFile, hostFile, name }:
import featuresNix {
  registry = builtins.fromTOML (builtins.readFile registryFile);
  host = builtins.fromTOML (builtins.readFile hostFile);
  inherit name;
}`

// NixResolve runs the pure-Nix resolution (root/nix/features.nix) with nix-instantiate for the
// host.toml at hostFile against registryFile, returning the same structure as Registry.Resolve.
func NixResolve(ctx context.Context, root, registryFile, hostFile, name string) (Resolution, error) {
	featuresNix, err := filepath.Abs(filepath.Join(root, "nix", "features.nix"))
	if err != nil {
		return Resolution{}, err
	}
	reg, err := filepath.Abs(registryFile)
	if err != nil {
		return Resolution{}, err
	}
	hf, err := filepath.Abs(hostFile)
	if err != nil {
		return Resolution{}, err
	}
	out, err := pureNix().Instantiate(ctx, nil, "--eval", "--strict", "--json",
		"--argstr", "featuresNix", featuresNix,
		"--argstr", "registryFile", reg,
		"--argstr", "hostFile", hf,
		"--argstr", "name", name,
		"--expr", nixExpr)
	if xe, ok := errors.AsType[*command.ExitError](err); ok {
		return Resolution{}, fmt.Errorf("nix/features.nix for host %q: exit status %d: %s", name, xe.ExitCode, strings.TrimSpace(xe.Stderr))
	}
	if err != nil {
		return Resolution{}, fmt.Errorf("nix/features.nix for host %q: %w", name, err)
	}
	var res Resolution
	if err := json.Unmarshal(out.Stdout, &res); err != nil {
		return Resolution{}, fmt.Errorf("nix/features.nix for host %q: decoding its JSON: %w", name, err)
	}
	return res, nil
}

// pureNix is nix for the package's pure evaluations (parsing, the Nix resolution), on this
// machine: they are called from check suites and scaffolding, which have no target executor.
func pureNix() nix.Nix { return nix.On((&command.Executor{}).Local(), nix.Settings{}) }

// NixAvailable reports whether nix-instantiate is on PATH, so callers can say that the Nix
// comparison was skipped rather than silently passing.
func NixAvailable() bool {
	_, err := exec.LookPath("nix-instantiate")
	return err == nil
}

// CompareWithNix resolves every host in Go and in Nix and reports each host whose results differ.
func (r *Registry) CompareWithNix(ctx context.Context, root string, hosts []Host) []error {
	var errs []error
	for _, h := range hosts {
		if err := ctx.Err(); err != nil {
			return append(errs, err)
		}
		nixRes, err := NixResolve(ctx, root, r.File, filepath.Join(HostsDir(root), h.Name, "host.toml"), h.Name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if diff := Diff(r.Resolve(h), nixRes); diff != "" {
			errs = append(errs, fmt.Errorf("host %q: Go and nix/features.nix disagree: %s", h.Name, diff))
		}
	}
	return errs
}

// Diff describes the first differences between two resolutions (Go's first), "" when equal.
func Diff(goRes, nixRes Resolution) string {
	var parts []string
	if !slices.Equal(goRes.Enabled, nixRes.Enabled) {
		parts = append(parts, fmt.Sprintf("enabled: go %v, nix %v", goRes.Enabled, nixRes.Enabled))
	}
	for _, n := range goRes.Enabled {
		if !slices.Equal(goRes.Reasons[n], nixRes.Reasons[n]) {
			parts = append(parts, fmt.Sprintf("reasons of %s: go %q, nix %q", n, goRes.Reasons[n], nixRes.Reasons[n]))
		}
	}
	if !slices.Equal(goRes.Errors, nixRes.Errors) {
		parts = append(parts, fmt.Sprintf("errors: go %q, nix %q", goRes.Errors, nixRes.Errors))
	}
	return strings.Join(parts, "; ")
}
