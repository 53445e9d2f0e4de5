//go:build mage

package main

import (
	"context"
	stdjson "encoding/json"
	"fmt"
	"os"

	"github.com/nixos-hub/hub/internal/deploytimes"
)

// Times shows how long each phase of past deploys took on the SELECTION's hosts (eval, build, copy, activate, health; the old perf-build-times and test-build-all's timing summary): one row per host and run from the run reports in .hub/runs, newest first, then per host and phase the median, slowest and latest. -last N runs (default 10; 0: all); -json writes the runs as JSON. The last deploy's phase times are also on each host as hub_deploy_last_phase_duration_seconds (docs/monitoring.md).
func (Deploy) Times(ctx context.Context, selection string, last *int, json *bool) error {
	env := runEnv(json, nil)
	_, hosts, err := env.Select(selection)
	if err != nil {
		return err
	}
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = h.Name
	}
	runs, skipped, err := deploytimes.Load(runsDir, names, flag(last, 10))
	if err != nil {
		return err
	}
	for _, s := range skipped {
		fmt.Fprintf(os.Stderr, "skipped %s\n", s)
	}
	if env.Out.JSON {
		enc := stdjson.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if runs == nil {
			runs = []deploytimes.Run{}
		}
		return enc.Encode(struct {
			Runs []deploytimes.Run `json:"runs"`
		}{runs})
	}
	return deploytimes.Write(os.Stdout, runs)
}
