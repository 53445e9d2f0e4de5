//go:build mage

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nixos-hub/hub/pkg/command"
	"github.com/nixos-hub/hub/pkg/deploy"
	"github.com/nixos-hub/hub/pkg/inventory"
	"github.com/nixos-hub/hub/pkg/localfleet"
	"github.com/nixos-hub/hub/pkg/parallel"
	"github.com/nixos-hub/hub/pkg/sysdeps"
)

// Demo runs the main job on the embedded local fleet: six hosts deployed in parallel, their status, and a generation that locks SSH out rolled back automatically (needs root; the fleet is torn down at the end).
func Demo(ctx context.Context) (err error) {
	ctx, stop := interruptible(ctx)
	defer stop()
	tools := []sysdeps.Tool{sysdeps.Nix, sysdeps.SSH, sysdeps.SSHKeygen, sysdeps.SSHD, sysdeps.Unshare}
	if err := sysdeps.Ensure(ctx, tools, os.Stdout); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("/tmp", "hub-demo-")
	if err != nil {
		return err
	}
	fmt.Println("== starting the local fleet (six hosts, each with its own /nix store, /run and sshd)")
	lf, err := localfleet.Up(ctx, localfleet.Config{Dir: dir})
	if err != nil {
		os.RemoveAll(dir)
		return err
	}
	defer func() {
		fmt.Println("\n== tearing the local fleet down")
		if derr := lf.Down(context.Background()); derr != nil {
			err = errors.Join(err, derr)
		}
	}()
	inv, err := inventory.Load(lf.InventoryDir())
	if err != nil {
		return err
	}
	e := &command.Executor{}
	defer e.Close()
	opts := func() deploy.Options {
		return deploy.Options{KeepGoing: true, NixArgs: localfleet.NixFlags(), ConfirmTimeout: 10 * time.Second,
			Out: os.Stdout, RunDir: runsDir, Name: "demo-deploy"}
	}
	var story []string

	fmt.Println("\n== 1. deploying generation 2 to all six hosts in parallel")
	for _, h := range lf.Hosts() {
		if err := lf.SetVariant(h.Name, localfleet.Variant{Generation: 2}); err != nil {
			return err
		}
	}
	res, err := deploy.Run(ctx, inv, e, inv.Hosts, opts())
	if err != nil {
		return err
	}
	fmt.Println()
	res.Report.WriteTable(os.Stdout)
	if n := res.Report.Failed(); n > 0 {
		return fmt.Errorf("demo: %d hosts failed the first deploy: %w", n, res.Report.Err())
	}
	story = append(story, fmt.Sprintf("deployed 6 hosts in parallel in %s", res.Report.Duration.Round(100*time.Millisecond)))

	fmt.Println("\n== 2. fleet status")
	if err := deploy.WriteStatus(os.Stdout, deploy.Status(ctx, e, inv.Hosts, 30*time.Second)); err != nil {
		return err
	}

	fmt.Println("\n== 3. deploying a bad generation to p620: its sshd refuses every login after activation")
	if err := lf.SetVariant("p620", localfleet.Variant{Generation: 3, SSHD: localfleet.SSHDDeny}); err != nil {
		return err
	}
	p620, _ := inv.Host("p620")
	res, err = deploy.Run(ctx, inv, e, []*inventory.Host{p620}, opts())
	if err != nil {
		return err
	}
	fmt.Println()
	res.Report.WriteTable(os.Stdout)
	hr := res.Report.Hosts[0]
	if hr.Status != parallel.StatusFailed || hr.Err == nil || !strings.Contains(hr.Err.Error(), "rolled back") {
		return fmt.Errorf("demo: p620 should have been rolled back, got %s: %v", hr.Status, hr.Err)
	}
	if _, err := e.SSH(p620.Name, p620.SSH).Ping(ctx, 10*time.Second); err != nil {
		return fmt.Errorf("demo: p620 is not reachable after the rollback: %w", err)
	}
	story = append(story, "p620's bad generation (sshd locked out) was rolled back by the watchdog; p620 is reachable on generation 2")

	fmt.Println("\n== 4. status after the rollback")
	if err := deploy.WriteStatus(os.Stdout, deploy.Status(ctx, e, inv.Hosts, 30*time.Second)); err != nil {
		return err
	}
	fmt.Println("\n== what happened")
	for _, s := range story {
		fmt.Println("  - " + s)
	}
	return nil
}
