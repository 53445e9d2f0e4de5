package deploy

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"text/tabwriter"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/nixprogress"
	"golang.org/x/sync/errgroup"
)

// HostWork is what deploying a host would cost this machine before anything is copied: the
// derivations to build and the paths to fetch from the binary caches, as nix itself plans them
// (`nix-store --realise --dry-run`), nothing built or fetched.
type HostWork struct {
	Host     string
	System   System
	Build    []string // derivations nix would build
	Fetch    []string // store paths nix would substitute
	Download float64  // MiB to download for Fetch, as nix estimates it
	Unpacked float64  // MiB they take in the store
}

// Work evaluates the hosts once and asks nix, for each host's system, what realising it would
// build and fetch. A path shared by several hosts is counted for each of them.
func Work(ctx context.Context, fleet *inventory.Fleet, local *command.Host, hosts []*inventory.Host, settings nix.Settings) ([]HostWork, error) {
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = h.Name
	}
	systems, err := Evaluate(ctx, local, fleet.Flake, names, settings)
	if err != nil {
		return nil, err
	}
	out := make([]HostWork, len(hosts))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, name := range names {
		g.Go(func() error {
			sys := systems[name]
			res, err := nix.On(local, settings).Realise(ctx, []string{sys.Drv}, nix.RealiseOptions{DryRun: true})
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			w := parseDryRun(string(res.Stderr))
			w.Host, w.System = name, sys
			out[i] = w
			return nil
		})
	}
	return out, g.Wait()
}

var fetchSizes = regexp.MustCompile(`\(([0-9.]+) MiB download, ([0-9.]+) MiB unpacked\)`)

// parseDryRun reads nix's dry-run report: "these N derivations will be built:" and "these N
// paths will be fetched (X MiB download, Y MiB unpacked):", each followed by indented paths
// ("this derivation will be built:" for one).
func parseDryRun(out string) HostWork {
	p := nixprogress.ParseDryRun(out)
	w := HostWork{Build: p.Build, Fetch: p.Fetch}
	if m := fetchSizes.FindStringSubmatch(out); m != nil {
		w.Download, _ = strconv.ParseFloat(m[1], 64)
		w.Unpacked, _ = strconv.ParseFloat(m[2], 64)
	}
	return w
}

// WriteWork prints one row per host, then with verbose every derivation and path.
func WriteWork(w io.Writer, work []HostWork, verbose bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tSYSTEM\tBUILD\tFETCH\tDOWNLOAD\tUNPACKED")
	for _, h := range work {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.1f MiB\t%.1f MiB\n", h.Host, shortPath(h.System.Out), len(h.Build), len(h.Fetch), h.Download, h.Unpacked)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !verbose {
		return nil
	}
	for _, h := range work {
		for _, d := range h.Build {
			fmt.Fprintf(w, "%s build %s\n", h.Host, d)
		}
		for _, p := range h.Fetch {
			fmt.Fprintf(w, "%s fetch %s\n", h.Host, p)
		}
	}
	return nil
}
