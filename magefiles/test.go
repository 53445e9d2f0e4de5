//go:build mage

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/internal/checks"
	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/evalwarn"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/sysdeps"
)

// Test runs the hub's checks.
type Test mg.Namespace

// Parallel runs every check suite concurrently (installing missing tools first) and writes JUnit XML with -junit FILE; -jobs N suites at once (default the number of CPUs), -timeout D per suite (default 1h; a suite still running then is killed and fails), -only NAMES (comma list of suites, e.g. unit,vet; default all).
func (Test) Parallel(ctx context.Context, junit *string, jobs *int, timeout *time.Duration, only *string) error {
	suites, err := checks.Select(checks.Hub(abs(".")), flag(only, ""))
	if err != nil {
		return err
	}
	if n := flag(jobs, runtime.NumCPU()); n < 1 {
		return fmt.Errorf("-jobs=%d: give 1 or more suites at once", n)
	}
	return runSuites(ctx, suites, flag(junit, ""), checks.Options{Limit: flag(jobs, runtime.NumCPU()), Timeout: flag(timeout, time.Hour)})
}

// Unit runs the Go tests of every package.
func (Test) Unit(ctx context.Context) error { return runSuite(ctx, "unit") }

// Race runs the concurrency-heavy packages' tests under the race detector.
func (Test) Race(ctx context.Context) error { return runSuite(ctx, "race") }

// Vet runs go vet (packages and magefiles) and gofmt.
func (Test) Vet(ctx context.Context) error { return runSuite(ctx, "vet") }

// NixSyntax parses every .nix file with nix-instantiate --parse, in parallel, reporting file:line:col.
func (Test) NixSyntax(ctx context.Context) error { return runSuite(ctx, "nix-syntax") }

// ShellLint runs shellcheck on every shell script the hub ships (the deploy supervisor, the installer wizard, the local fleet's init, launcher and Nix templates), as sh where dash runs them, reporting file:line:col.
func (Test) ShellLint(ctx context.Context) error { return runSuite(ctx, "shell-lint") }

// NixLint lints every .nix file offline (dead let bindings, unused arguments of argument sets that end in an ellipsis, empty let, comparisons with true/false, a = a;, a top-level with, deprecated builtins), reporting file:line and the rule; `# nixlint: allow RULE` on the line or the one above keeps an intended one.
func (Test) NixLint(ctx context.Context) error { return runSuite(ctx, "nix-lint") }

// MarkdownLinks checks that every relative link and #anchor of the Markdown files (README, docs/ and the rest) leads to a file, directory or heading that exists; links with a scheme are counted, not fetched.
func (Test) MarkdownLinks(ctx context.Context) error { return runSuite(ctx, "markdown-links") }

// Features checks the feature registry and every host's feature set, in Go and against nix/features.nix.
func (Test) Features(ctx context.Context) error { return runSuite(ctx, "features") }

// Hosts validates the repository's inventory (hosts/fleet.toml and every host.toml).
func (Test) Hosts(ctx context.Context) error { return runSuite(ctx, "hosts") }

// Monitoring checks that monitoring/ matches the inventory and that promtool accepts it and passes the rule tests.
func (Test) Monitoring(ctx context.Context) error { return runSuite(ctx, "monitoring") }

// VendorHash checks that nix/vendor-hash.nix matches what go.mod and go.sum vendor to.
func (Test) VendorHash(ctx context.Context) error { return runSuite(ctx, "vendor-hash") }

// SecretsCheck checks every secret's header against secrets/secrets.nix, without any private key.
func (Test) SecretsCheck(ctx context.Context) error { return runSuite(ctx, "secrets-check") }

// Eval evaluates every host's toplevel drvPath offline against flake.lock's inputs; exits non-zero, saying SKIPPED and why, when the lock or its inputs are not on this machine.
func (Test) Eval(ctx context.Context) error {
	ctx, stop := interruptible(ctx)
	defer stop()
	err := checks.EvalHosts(ctx, abs("."), os.Stdout)
	if skip, ok := errors.AsType[*checks.SkipError](err); ok {
		return fmt.Errorf("test:eval SKIPPED, no host was evaluated: %s", skip.Reason)
	}
	return err
}

// Packages builds every packages.<system> output of the flake through nix build (the hub, the exporters, the installers; where a stale vendorHash shows) and prints one row per package; -only a,b builds those (default: all), -limit N builds at once (default 2), -probeTimeout D bounds fetching the inputs (default 2m). Exits non-zero, saying SKIPPED and why, when the flake has no lock or its inputs (nixpkgs) cannot be fetched: nothing was built.
func (Test) Packages(ctx context.Context, only *string, limit *int, probeTimeout *time.Duration) error {
	env := runEnv(nil, nil)
	ctx, stop := interruptible(ctx)
	defer stop()
	if err := sysdeps.Ensure(ctx, []sysdeps.Tool{sysdeps.Nix}, os.Stdout); err != nil {
		return err
	}
	e := env.Executor()
	defer e.Close()
	res, err := checks.BuildPackages(ctx, env.LocalNix(e), checks.PackagesOptions{Flake: abs("."), Only: splitList(flag(only, "")),
		Limit: flag(limit, 2), ProbeTimeout: flag(probeTimeout, 2*time.Minute)})
	if skip, ok := errors.AsType[*checks.SkipError](err); ok {
		return fmt.Errorf("test:packages SKIPPED, no package was built: %s", skip.Reason)
	}
	if err != nil {
		return err
	}
	if dryRunNoResult(e) {
		return nil
	}
	return checks.WritePackages(os.Stdout, res)
}

// Deprecated collects every host's evaluation warnings (the old check-deprecated): the configuration's warnings (renamed and removed options) and the warnings nix prints while forcing the host's toplevel, one line each, then a count per host. -hosts SELECTION (default @all), -limit N evaluations at once (default 2), -probeTimeout D bounds fetching the inputs (default 2m), -json for machines. Exits non-zero, saying SKIPPED and why, when the flake has no lock or nixpkgs cannot be fetched; and when a host fails to evaluate. Warnings alone do not fail it.
func (Test) Deprecated(ctx context.Context, hosts *string, limit *int, probeTimeout *time.Duration, json *bool) error {
	env := runEnv(json, nil)
	return onHosts(ctx, env, flag(hosts, "@all"), func(ctx context.Context, f *inventory.Fleet, hs []*inventory.Host, e *command.Executor) error {
		// The local fleet's flake is builtins-only and has no inputs to fetch (nix/localfleet/flake.nix).
		if !env.LocalFleet {
			err := checks.ProbeInputs(ctx, env.LocalNix(e), strings.TrimPrefix(f.Flake, "path:"), flag(probeTimeout, 2*time.Minute))
			if skip, ok := errors.AsType[*checks.SkipError](err); ok {
				return fmt.Errorf("test:deprecated SKIPPED, no host was evaluated: %s", skip.Reason)
			}
			if err != nil {
				return err
			}
		}
		names := make([]string, len(hs))
		for i, h := range hs {
			names[i] = h.Name
		}
		res := evalwarn.Collect(ctx, env.LocalNix(e), f.Flake, names, flag(limit, 2))
		if dryRunNoResult(e) {
			return nil
		}
		if env.Out.JSON {
			if err := env.Out.WriteJSON(res); err != nil {
				return err
			}
			for _, h := range res {
				if h.Err != nil {
					return fmt.Errorf("host %s failed to evaluate", h.Host)
				}
			}
			return nil
		}
		return evalwarn.Write(os.Stdout, res)
	})
}

func runSuite(ctx context.Context, name string) error {
	for _, s := range checks.Hub(abs(".")) {
		if s.Name == name {
			return runSuites(ctx, []checks.Suite{s}, "", checks.Options{Limit: 1})
		}
	}
	return fmt.Errorf("no suite %q", name)
}

// runSuites runs suites with opt (its Limit and Timeout; the progress and logs are set here).
func runSuites(ctx context.Context, suites []checks.Suite, junit string, opt checks.Options) error {
	ctx, stop := interruptible(ctx)
	defer stop()
	if err := sysdeps.Ensure(ctx, checks.Tools(suites), os.Stdout); err != nil {
		return err
	}
	if err := checks.Prepare(ctx, suites, os.Stdout); err != nil {
		return err
	}
	logDir := filepath.Join(runsDir, time.Now().UTC().Format("20060102T150405Z")+"-test")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return err
	}
	opt.Progress, opt.LogDir = os.Stdout, logDir
	results := checks.Run(ctx, suites, opt)
	fmt.Println()
	failed := checks.Summary(os.Stdout, results)
	if junit != "" {
		if err := checks.WriteJUnitFile(junit, results); err != nil {
			return err
		}
		fmt.Printf("JUnit XML: %s\n", junit)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d suites failed; logs in %s", failed, len(suites), logDir)
	}
	return nil
}
