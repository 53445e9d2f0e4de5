//go:build mage

package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/internal/features"
	"github.com/nixos-hub/hub/internal/secscan"
)

// Security audits the repository for what it should not hold or should be reviewed.
type Security mg.Namespace

// Scan looks through the committed tree (the old security-scan): secrets in clear (private keys, age identities, API tokens by their formats), files under secrets/ that are not age-encrypted, permittedInsecurePackages and unfree allowances, agenix secrets with a world-readable mode, and each host's open firewall ports (from the modules its features enable; -eval evaluates every host's networking.firewall instead, which needs nixpkgs). One line per finding with its severity (high, warn, info); intended ones are listed with their reason in secrets/scan-allow.toml. Exits non-zero on a finding at -failOn or above (default warn; info fails on open ports too). -json for machines.
func (Security) Scan(ctx context.Context, failOn *string, eval *bool, json *bool) error {
	env := runEnv(json, nil)
	ctx, stop := interruptible(ctx)
	defer stop()
	threshold := flag(failOn, secscan.Warn)
	if !slices.Contains(secscan.Levels, threshold) {
		return fmt.Errorf("-failOn %q: give one of %s", threshold, strings.Join(secscan.Levels, ", "))
	}
	e := env.Executor()
	defer e.Close()
	root := abs(".")
	files, err := secscan.TrackedFiles(ctx, e.Local(), root)
	if err != nil {
		return err
	}
	opts := secscan.Options{Root: root, Files: files}
	portsFrom := "the modules each host's features enable"
	if flag(eval, false) {
		f, err := env.LoadFleet()
		if err != nil {
			return err
		}
		if opts.Firewall, err = secscan.EvalFirewall(ctx, env.LocalNix(e), f.Flake, f.Names()); err != nil {
			return fmt.Errorf("%w (without -eval the ports come from the modules, which needs no nixpkgs)", err)
		}
		portsFrom = "the evaluated configurations"
	} else {
		if opts.Registry, err = features.Load(features.RegistryPath(root)); err != nil {
			return err
		}
		if opts.Hosts, err = features.LoadHosts(features.HostsDir(root)); err != nil {
			return err
		}
	}
	if dryRunNoResult(e) {
		return nil
	}
	fs, err := secscan.Scan(opts)
	if err != nil {
		return err
	}
	failing := secscan.Failing(fs, threshold)
	if env.Out.JSON {
		if err := env.Out.WriteJSON(map[string]any{"findings": fs, "failing": len(failing), "failOn": threshold, "portsFrom": portsFrom}); err != nil {
			return err
		}
	} else {
		secscan.Write(os.Stdout, fs, portsFrom)
	}
	if len(failing) > 0 {
		return fmt.Errorf("security:scan: %d finding(s) at %s or above, first: %s", len(failing), threshold, failing[0])
	}
	return nil
}
