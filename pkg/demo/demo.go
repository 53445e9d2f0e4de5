// Package demo is the hub's main job on the embedded local fleet, the README's first command:
// six hosts deployed in parallel, their status, and a generation that locks SSH out rolled back
// by the watchdog, then the fleet torn down. It uses the same inventory, deploy and status code a
// real fleet does.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/nixos-hub/hub/pkg/command"
	"github.com/nixos-hub/hub/pkg/deploy"
	"github.com/nixos-hub/hub/pkg/inventory"
	"github.com/nixos-hub/hub/pkg/localfleet"
	"github.com/nixos-hub/hub/pkg/nix"
	"github.com/nixos-hub/hub/pkg/parallel"
)

// Options configure a run.
type Options struct {
	Dir            string        // the local fleet's state directory (short: socket paths)
	RunDir         string        // where the deploys keep their logs; empty keeps none
	ConfirmTimeout time.Duration // magic rollback's confirm window
	Out            io.Writer     // progress and tables
}

// Run plays the demo and returns what happened, one sentence per step that succeeded. The
// fleet is torn down however it ends.
func Run(ctx context.Context, o Options) (story []string, err error) {
	out := o.Out
	fmt.Fprintln(out, "== starting the local fleet (six hosts, each with its own /nix store, /run and sshd)")
	lf, err := localfleet.Up(ctx, localfleet.Config{Dir: o.Dir})
	if err != nil {
		os.RemoveAll(o.Dir) // Up tears down what it started: only its files are left
		return story, err
	}
	defer func() {
		fmt.Fprintln(out, "\n== tearing the local fleet down")
		if derr := lf.Down(context.Background()); derr != nil {
			err = errors.Join(err, derr)
		}
	}()
	inv, err := inventory.Load(lf.InventoryDir())
	if err != nil {
		return story, err
	}
	e := &command.Executor{}
	defer e.Close()
	opts := func() deploy.Options {
		// TextfileDir "-": the local fleet's lightweight hosts share this machine's /var.
		return deploy.Options{KeepGoing: true, Nix: nix.Local(), ConfirmTimeout: o.ConfirmTimeout, TextfileDir: "-",
			Out: out, RunDir: o.RunDir, Name: "demo-deploy"}
	}

	fmt.Fprintln(out, "\n== 1. deploying generation 2 to all six hosts in parallel")
	for _, h := range lf.Hosts() {
		if err := lf.SetVariant(h.Name, localfleet.Variant{Generation: 2}); err != nil {
			return story, err
		}
	}
	res, err := deploy.Run(ctx, inv, e, inv.Hosts, opts())
	if err != nil {
		return story, err
	}
	fmt.Fprintln(out)
	res.Report.WriteTable(out)
	if n := res.Report.Failed(); n > 0 {
		return story, fmt.Errorf("demo: %d hosts failed the first deploy: %w", n, res.Report.Err())
	}
	story = append(story, fmt.Sprintf("deployed 6 hosts in parallel in %s", res.Report.Duration.Round(100*time.Millisecond)))

	fmt.Fprintln(out, "\n== 2. fleet status")
	if err := deploy.WriteStatus(out, deploy.Status(ctx, e, inv.Hosts, 30*time.Second)); err != nil {
		return story, err
	}

	fmt.Fprintln(out, "\n== 3. deploying a bad generation to p620: its sshd refuses every login after activation")
	if err := lf.SetVariant("p620", localfleet.Variant{Generation: 3, SSHD: localfleet.SSHDDeny}); err != nil {
		return story, err
	}
	p620, _ := inv.Host("p620")
	res, err = deploy.Run(ctx, inv, e, []*inventory.Host{p620}, opts())
	if err != nil {
		return story, err
	}
	fmt.Fprintln(out)
	res.Report.WriteTable(out)
	hr := res.Report.Hosts[0]
	if hr.Status != parallel.StatusFailed || hr.Err == nil || !strings.Contains(hr.Err.Error(), "rolled back") {
		return story, fmt.Errorf("demo: p620 should have been rolled back, got %s: %v", hr.Status, hr.Err)
	}
	if _, err := e.SSH(p620.Name, p620.SSH).Ping(ctx, 10*time.Second); err != nil {
		return story, fmt.Errorf("demo: p620 is not reachable after the rollback: %w", err)
	}
	story = append(story, "p620's bad generation (sshd locked out) was rolled back by the watchdog; p620 is reachable on generation 2")

	fmt.Fprintln(out, "\n== 4. status after the rollback")
	if err := deploy.WriteStatus(out, deploy.Status(ctx, e, inv.Hosts, 30*time.Second)); err != nil {
		return story, err
	}
	fmt.Fprintln(out, "\n== what happened")
	for _, s := range story {
		fmt.Fprintln(out, "  - "+s)
	}
	return story, nil
}
