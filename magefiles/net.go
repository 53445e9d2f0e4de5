//go:build mage

package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/magefile/mage/mg"

	featreg "github.com/nixos-hub/hub/internal/features"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/netdoctor"
)

// Net checks name resolution and the tailnet on the fleet (docs/network.md).
type Net mg.Namespace

// Doctor checks, on each host of the SELECTION in parallel over ssh: who owns /etc/resolv.conf against the owner its features declare (feature dns), whether every fleet host name and an external name (-external, default nixos.org) resolve through each configured server, tailscale status (peers online, MagicDNS, exit node, health) and the MTU and rp_filter settings that break tailscale; one line per problem saying how to fix it, a summary table, -json for machines; -timeout D bounds each host's probe (default 60s), -details prints every query and answer per host. Exits non-zero when a problem is found.
func (Net) Doctor(ctx context.Context, selection string, external *string, timeout *time.Duration, details, json *bool) error {
	env := runEnv(json, nil)
	fleet, hosts, err := env.Select(selection)
	if err != nil {
		return err
	}
	reg, err := featreg.Load(featreg.RegistryPath("."))
	if err != nil {
		return err
	}
	inputs := netdoctor.Inputs(fleet, reg, flag(external, "nixos.org"))
	ctx, stop := interruptible(ctx)
	defer stop()
	e := env.Executor()
	defer e.Close()
	rep, reports, runErr := probeHosts(ctx, env, hosts, "net-doctor", func(ctx context.Context, h *inventory.Host) (netdoctor.Report, error) {
		return netdoctor.Check(ctx, e.SSH(h.Name, h.SSH), inputs[h.Name], flag(timeout, 60*time.Second))
	}, func(r netdoctor.Report) []netdoctor.Problem { return r.Problems })
	if rep == nil {
		return runErr
	}
	var list []netdoctor.Report
	var results []netdoctor.Result
	problemHosts := []string{}
	for _, hr := range rep.Hosts {
		r, ok := reports[hr.Host]
		res := netdoctor.Result{Report: r, Status: string(hr.Status)}
		if !ok {
			res.Host = hr.Host
		}
		if hr.Err != nil && hr.Status.Failed() {
			res.Error = hr.Err.Error()
		}
		results = append(results, res)
		if ok {
			list = append(list, r)
			if len(r.Problems) > 0 {
				problemHosts = append(problemHosts, hr.Host)
			}
		}
	}
	if env.Out.JSON {
		if err := netdoctor.WriteJSON(os.Stdout, results); err != nil {
			return err
		}
	} else {
		fmt.Println()
		if err := rep.WriteTable(os.Stdout); err != nil {
			return err
		}
		if flag(details, false) {
			for _, r := range list {
				fmt.Printf("\n%s:\n", r.Host)
				if err := netdoctor.WriteDetails(os.Stdout, r); err != nil {
					return err
				}
			}
		}
		fmt.Println()
		if err := netdoctor.WriteProblems(os.Stdout, list); err != nil {
			return err
		}
	}
	return probeOutcome("net:doctor", "could not be checked", "says how to fix it", runErr, rep, problemHosts)
}
