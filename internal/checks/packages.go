package checks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/features"
	"github.com/nixos-hub/hub/internal/nix"
)

// PackagesOptions say what BuildPackages builds.
type PackagesOptions struct {
	Flake  string   // the flake's directory
	System string   // e.g. x86_64-linux; empty: this machine's
	Only   []string // package names; empty: every package
	Limit  int      // builds at once; below 1: 1
	// ProbeTimeout is how long fetching the inputs may take before they count as unreachable.
	ProbeTimeout time.Duration
}

// PackageResult is one package's build.
type PackageResult struct {
	Name     string
	Drv      string
	Out      string
	Same     string // another package with the same derivation (default = hub): built once
	Duration time.Duration
	Err      error
}

// ProbeInputs returns a SkipError when the flake in dir cannot be evaluated here: it has no
// lock, or its locked inputs (nixpkgs) cannot be fetched within timeout (nix flake archive,
// which writes no lock file). What needs the flake's configurations or packages then checks
// nothing, and says so. n is nix on this machine with the fleet's settings.
func ProbeInputs(ctx context.Context, n nix.Nix, dir string, timeout time.Duration) error {
	if err := features.CheckLock(dir); err != nil {
		if nl, ok := errors.AsType[*features.NoLockError](err); ok {
			return skip("%v", nl)
		}
		return err
	}
	probe := n.Cmd("nix", []string{"flake", "archive"}, "--json", "--no-write-lock-file", "path:"+dir)
	probe.Timeout = max(timeout, time.Second)
	if _, err := n.Run(ctx, probe); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return skip("the flake's inputs (nixpkgs) cannot be fetched, so nothing was evaluated: %s", lastLine(err.Error()))
	}
	return nil
}

// nixSystem is the Nix system name of this machine.
func nixSystem() string {
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64", "riscv64": "riscv64", "386": "i686"}[runtime.GOARCH]
	if arch == "" {
		arch = runtime.GOARCH
	}
	return arch + "-" + runtime.GOOS
}

// BuildPackages builds every packages.<system> output of the flake with nix, the way a user
// or CI would (nix build), so that what only a Nix build shows shows here: a vendorHash that
// no longer matches go.mod/go.sum, a Go too old in nixpkgs, a missing file in the source set.
// Where the flake has no lock, or its inputs cannot be fetched, it returns a SkipError and no
// results: nothing was built, so nothing passed. n is nix on this machine with the fleet's
// settings (with Offline, the inputs must already be in the store: the tests).
func BuildPackages(ctx context.Context, n nix.Nix, o PackagesOptions) ([]PackageResult, error) {
	if o.System == "" {
		o.System = nixSystem()
	}
	ref := "path:" + o.Flake
	if err := ProbeInputs(ctx, n, o.Flake, o.ProbeTimeout); err != nil {
		return nil, err
	}
	apply := `ps: builtins.mapAttrs (n: p: p.drvPath) ps`
	res, err := n.Run(ctx, n.Cmd("nix", []string{"eval"}, "--json", "--no-write-lock-file", ref+"#packages."+o.System, "--apply", apply))
	if err != nil {
		return nil, fmt.Errorf("evaluate packages.%s: %w", o.System, err)
	}
	drvs := map[string]string{}
	if !res.DryRun {
		if err := json.Unmarshal(res.Stdout, &drvs); err != nil {
			return nil, fmt.Errorf("evaluate packages.%s: unexpected nix eval output: %w", o.System, err)
		}
	}
	for _, n := range o.Only {
		if _, ok := drvs[n]; !ok && !res.DryRun {
			return nil, fmt.Errorf("-only: the flake has no packages.%s.%s (packages: %s)", o.System, n, strings.Join(sortedKeys(drvs), ", "))
		}
	}
	names := sortedKeys(drvs)
	// default is an alias: build under the package's own name, list default after it.
	if i := slices.Index(names, "default"); i >= 0 {
		names = append(slices.Delete(names, i, i+1), "default")
	}
	if res.DryRun {
		names = o.Only
	}
	if len(o.Only) > 0 {
		names = slices.DeleteFunc(names, func(n string) bool { return !slices.Contains(o.Only, n) })
	}
	var results []PackageResult
	first := map[string]string{} // drv -> the first package name with it
	for _, n := range names {
		r := PackageResult{Name: n, Drv: drvs[n]}
		if other, ok := first[r.Drv]; ok && r.Drv != "" {
			r.Same = other
		} else {
			first[r.Drv] = n
		}
		results = append(results, r)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(o.Limit, 1))
	var mu sync.Mutex
	for i := range results {
		if results[i].Same != "" {
			continue
		}
		g.Go(func() error {
			start := time.Now()
			res, err := n.Run(gctx, n.Cmd("nix", []string{"build"}, "--no-link", "--json", "--no-write-lock-file", ref+"#packages."+o.System+"."+results[i].Name))
			mu.Lock()
			defer mu.Unlock()
			results[i].Duration = time.Since(start)
			if err != nil {
				results[i].Err = buildError(results[i].Name, err)
				return nil // one broken package must not stop the others
			}
			var built []struct {
				Outputs map[string]string `json:"outputs"`
			}
			if json.Unmarshal(res.Stdout, &built) == nil && len(built) == 1 {
				results[i].Out = built[0].Outputs["out"]
			}
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return results, err
	}
	for i, r := range results {
		if r.Same != "" {
			for _, o := range results {
				if o.Name == r.Same {
					results[i].Out, results[i].Err = o.Out, o.Err
				}
			}
		}
	}
	return results, nil
}

// buildError says why a package did not build in one line; a fixed-output hash mismatch (a
// stale vendorHash) says what to run.
func buildError(name string, err error) error {
	msg := err.Error()
	if xe, ok := errors.AsType[*command.ExitError](err); ok && strings.TrimSpace(xe.Stderr) != "" {
		msg = xe.Stderr
	}
	if strings.Contains(msg, "hash mismatch in fixed-output derivation") {
		got := ""
		for _, l := range strings.Split(msg, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), "got:"); ok {
				got = strings.TrimSpace(v)
			}
		}
		return fmt.Errorf("package %s: a fixed-output hash does not match (got %s): if it is the Go vendor hash, run go tool mage nix:vendorHash", name, got)
	}
	return fmt.Errorf("package %s: nix build: %s", name, lastErrorLine(msg))
}

// lastErrorLine is nix's first "error:" line with the builder's last log line (nix prints it
// as "> ..."), else the last line.
func lastErrorLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	main, log := "", ""
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if main == "" && strings.HasPrefix(l, "error:") {
			main = l
		}
		if v, ok := strings.CutPrefix(l, ">"); ok && strings.TrimSpace(v) != "" {
			log = strings.TrimSpace(v)
		}
	}
	switch {
	case main != "" && log != "":
		return main + " (its log ends: " + log + ")"
	case main != "":
		return main
	}
	return strings.TrimSpace(lines[len(lines)-1])
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// WritePackages prints one row per package and returns an error naming the failed ones.
func WritePackages(w io.Writer, results []PackageResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PACKAGE\tRESULT\tTOOK\tOUTPUT")
	var failed []string
	for _, r := range results {
		took := r.Duration.Round(100 * time.Millisecond).String()
		switch {
		case r.Same != "":
			took = "(as " + r.Same + ")"
		}
		if r.Err != nil {
			failed = append(failed, r.Name)
			fmt.Fprintf(tw, "%s\tFAIL\t%s\t%v\n", r.Name, took, r.Err)
			continue
		}
		out := r.Out
		if out == "" {
			out = "-"
		}
		fmt.Fprintf(tw, "%s\tok\t%s\t%s\n", r.Name, took, out)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d packages failed to build: %s", len(failed), len(results), strings.Join(failed, ", "))
	}
	return nil
}
