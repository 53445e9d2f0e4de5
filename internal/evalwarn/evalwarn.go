// Package evalwarn collects each host's evaluation warnings (the old check-deprecated): the
// NixOS configuration's `warnings` (where nixpkgs puts renamed and removed options: "The option
// `a' defined in `f' has been renamed to `b'."), and the warnings nix prints while it forces
// the host's toplevel (lib.warn: "evaluation warning: ..." from Nix 2.24 on, "trace: warning:
// ..." before). Each host is evaluated on its own so that a trace is the host's.
//
// Entry points: [Collect] evaluates the hosts and [Write] prints their warnings.
package evalwarn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

// Warning is one warning of one host.
type Warning struct {
	Source string `json:"source"` // "config.warnings" or "trace"
	Text   string `json:"text"`
	Kind   string `json:"kind"` // "renamed", "removed", "deprecated" or "other"
}

// Host is one host's evaluation.
type Host struct {
	Host     string    `json:"host"`
	Drv      string    `json:"drv,omitempty"`
	Warnings []Warning `json:"warnings"`
	Err      error     `json:"-"`
	Error    string    `json:"error,omitempty"`
}

// evalCmd is the package's one nix command line: the host's toplevel drvPath (which forces
// what a deploy forces, so every lib.warn fires) and its config.warnings, as JSON.
func evalCmd(n nix.Nix, flake, host string) command.Cmd {
	apply := `c: { drv = c.config.system.build.toplevel.drvPath; warnings = c.config.warnings or [ ]; }`
	return n.Cmd("nix", []string{"eval"}, "--json", "--no-write-lock-file", flake+"#nixosConfigurations."+host, "--apply", apply)
}

var traceRe = regexp.MustCompile(`^(?:evaluation warning|trace: warning|warning): (.*)$`)

// noise are nix's own warnings about the machine, not the configuration.
var noise = []string{"the group 'nixbld' specified in 'build-users-group' does not exist", "Git tree", "is dirty", "not writing modified lock file", "ignoring untrusted substituter"}

// Collect evaluates every named host of flake with n (nix on this machine with the fleet's
// settings), limit at a time, and returns one Host each, in order. A host that fails to
// evaluate carries its error; the others go on.
func Collect(ctx context.Context, n nix.Nix, flake string, hosts []string, limit int) []Host {
	out := make([]Host, len(hosts))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(limit, 1))
	for i, h := range hosts {
		g.Go(func() error {
			out[i] = collect(gctx, n, flake, h)
			return nil
		})
	}
	_ = g.Wait()
	return out
}

func collect(ctx context.Context, n nix.Nix, flake, host string) Host {
	r := Host{Host: host, Warnings: []Warning{}}
	res, err := n.Run(ctx, evalCmd(n, flake, host))
	if err != nil {
		r.Err = fmt.Errorf("host %s: evaluate: %w", host, err)
		if xe, ok := errors.AsType[*command.ExitError](err); ok {
			r.Err = fmt.Errorf("host %s: evaluate: %s", host, firstError(xe.Stderr))
		}
		r.Error = r.Err.Error()
		return r
	}
	if res.DryRun {
		return r
	}
	var v struct {
		Drv      string   `json:"drv"`
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal(res.Stdout, &v); err != nil {
		r.Err = fmt.Errorf("host %s: unexpected nix eval output: %w", host, err)
		r.Error = r.Err.Error()
		return r
	}
	r.Drv = v.Drv
	for _, w := range v.Warnings {
		r.Warnings = append(r.Warnings, Warning{Source: "config.warnings", Text: w, Kind: kind(w)})
	}
	for _, line := range strings.Split(string(res.Stderr), "\n") {
		m := traceRe.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil || slices.ContainsFunc(noise, func(n string) bool { return strings.Contains(m[1], n) }) {
			continue
		}
		// A config.warnings entry that nix also printed is one warning.
		if slices.ContainsFunc(r.Warnings, func(w Warning) bool { return w.Text == m[1] }) {
			continue
		}
		r.Warnings = append(r.Warnings, Warning{Source: "trace", Text: m[1], Kind: kind(m[1])})
	}
	return r
}

func kind(w string) string {
	l := strings.ToLower(w)
	switch {
	case strings.Contains(l, "has been renamed"):
		return "renamed"
	case strings.Contains(l, "has been removed") || strings.Contains(l, "no longer has any effect"):
		return "removed"
	case strings.Contains(l, "deprecated") || strings.Contains(l, "obsolete"):
		return "deprecated"
	}
	return "other"
}

func firstError(stderr string) string {
	for _, l := range strings.Split(stderr, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "error:") {
			return l
		}
	}
	return strings.TrimSpace(stderr)
}

// Write prints each host's warnings, one line each, then a line per host with its count, and
// returns an error naming the hosts that failed to evaluate.
func Write(w io.Writer, hosts []Host) error {
	var failed []string
	total := 0
	for _, h := range hosts {
		if h.Err != nil {
			failed = append(failed, h.Host)
			fmt.Fprintf(w, "%s: FAIL %v\n", h.Host, h.Err)
			continue
		}
		for _, x := range h.Warnings {
			fmt.Fprintf(w, "%s: %s (%s): %s\n", h.Host, x.Kind, x.Source, x.Text)
		}
		total += len(h.Warnings)
	}
	fmt.Fprintln(w)
	for _, h := range hosts {
		switch {
		case h.Err != nil:
			fmt.Fprintf(w, "%-10s failed to evaluate\n", h.Host)
		default:
			fmt.Fprintf(w, "%-10s %d warning(s)\n", h.Host, len(h.Warnings))
		}
	}
	fmt.Fprintf(w, "%d warning(s) on %d host(s)\n", total, len(hosts)-len(failed))
	if len(failed) > 0 {
		return fmt.Errorf("%d host(s) failed to evaluate: %s", len(failed), strings.Join(failed, ", "))
	}
	return nil
}

// count is the number of warnings of the hosts.
func count(hosts []Host) int {
	n := 0
	for _, h := range hosts {
		n += len(h.Warnings)
	}
	return n
}
