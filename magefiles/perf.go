//go:build mage

package main

import (
	"context"
	stdjson "encoding/json"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/perf"
	"github.com/nixos-hub/hub/internal/runenv"
)

// Perf reports measured performance of the fleet (docs/performance.md).
type Perf mg.Namespace

// Report shows, for each host of the SELECTION in parallel over ssh: boot phases (systemd-analyze time), the slowest units (-slowest N, default 5), memory, CPU and I/O pressure (PSI), swap use, the generation, and the baselines hub-baseline-exporter flags as regressed (-baselines URL, default its metrics on the host), with one line per problem saying what to do; -json for machines, -timeout D per host (default 30s). Exits non-zero when a problem is found.
func (Perf) Report(ctx context.Context, selection string, slowest *int, baselines *string, timeout *time.Duration, json *bool) error {
	env := runEnv(json, nil)
	return onHosts(ctx, env, selection, func(ctx context.Context, _ *inventory.Fleet, hosts []*inventory.Host, e *command.Executor) error {
		return perfReport(ctx, env, hosts, e, slowest, baselines, timeout)
	})
}

// perfReport is perf:report's work on the selected hosts.
func perfReport(ctx context.Context, env runenv.Env, hosts []*inventory.Host, e *command.Executor, slowest *int, baselines *string, timeout *time.Duration) error {
	opts := perf.Options{Slowest: flag(slowest, 5), BaselinesURL: flag(baselines, perf.DefaultBaselinesURL), Timeout: flag(timeout, 30*time.Second)}
	rep, reports, runErr := probeHosts(ctx, env, hosts, "perf-report", func(ctx context.Context, h *inventory.Host) (perf.Report, error) {
		return perf.Read(ctx, e.SSH(h.Name, h.SSH), h.Name, opts)
	}, func(r perf.Report) []perf.Problem { return r.Problems })
	if rep == nil {
		return runErr
	}
	var list []perf.Report
	for _, h := range hosts {
		if r, ok := reports[h.Name]; ok {
			list = append(list, r)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Host < list[j].Host })
	var problemHosts []string
	for _, r := range list {
		if len(r.Problems) > 0 {
			problemHosts = append(problemHosts, r.Host)
		}
	}
	if env.Out.JSON {
		enc := stdjson.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Hosts []perf.Report `json:"hosts"`
		}{list}); err != nil {
			return err
		}
	} else {
		fmt.Println()
		if err := rep.WriteTable(os.Stdout); err != nil {
			return err
		}
		fmt.Println()
		for _, r := range list {
			for _, u := range r.Slowest {
				fmt.Printf("%s\tslow unit\t%s %s\n", r.Host, u.Took.Round(time.Millisecond), u.Name)
			}
			for _, p := range r.Problems {
				fmt.Printf("%s\tproblem\t%s\n", r.Host, p)
			}
		}
	}
	return probeOutcome("perf:report", "could not be read", "says what to do", runErr, rep, problemHosts)
}

// Compare puts HOST's system generations GEN_A and GEN_B side by side: the median of each boot phase over the boots recorded for each (hub-baseline-exporter's boots.jsonl, -boots FILE to read another) and what GEN_B's closure changed (nix store diff-closures); -json for machines, -timeout D (default 60s).
func (Perf) Compare(ctx context.Context, host string, genA, genB int, boots *string, timeout *time.Duration, json *bool) error {
	env := runEnv(json, nil)
	_, h, err := env.Host(host)
	if err != nil {
		return fmt.Errorf("perf:compare: %w", err)
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	e := env.Executor()
	defer e.Close()
	c, err := perf.Compare(ctx, e.SSH(h.Name, h.SSH), h.Name, genA, genB, flag(boots, perf.DefaultBootsLog), flag(timeout, 60*time.Second))
	if err != nil {
		return err
	}
	if env.Out.JSON {
		enc := stdjson.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	}
	return perf.WriteComparison(os.Stdout, c)
}
