// Package demo is the hub's main job on the embedded local fleet, the README's first command:
// six hosts deployed in parallel, their status, and a generation that locks SSH out rolled back
// by the watchdog, then the fleet torn down. It uses the same inventory, deploy and status code a
// real fleet does.
//
// Entry point: [Run] with its [Options].
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/microvm"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/parallel"
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
	fmt.Fprintln(out, "\n== 5. a development VM on p620: booted with QEMU, reached over SSH, stopped")
	vmStory, err := devVM(ctx, lf, e, p620, out)
	if err != nil {
		return story, err
	}
	story = append(story, vmStory)

	fmt.Fprintln(out, "\n== what happened")
	for _, s := range story {
		fmt.Fprintln(out, "  - "+s)
	}
	return story, nil
}

// devVM starts p620's first [[microvm]] guest (hosts/p620/host.toml's dev-vm, copied into the
// local fleet's inventory), runs a command in it over SSH with the key its start reported, and
// stops it: the vm:start, vm:ssh and vm:stop path.
func devVM(ctx context.Context, lf *localfleet.Fleet, e *command.Executor, h *inventory.Host, out io.Writer) (string, error) {
	if len(h.MicroVMs) == 0 {
		return "", fmt.Errorf("demo: %s declares no [[microvm]] guest (hosts/%s/host.toml)", h.Name, h.Name)
	}
	g := microvm.Guest{Host: h, VM: h.MicroVMs[0]}
	// As vm:start sets it up: the fleet's identity in the guest's system, its host key beside
	// the fleet's known_hosts.
	m, err := microvm.New(microvm.Config{Exec: e, LocalFleet: lf.Dir()}, []microvm.Guest{g})
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	m.BootTimeout = 2 * time.Minute
	start := time.Now()
	st, err := m.Start(ctx, g, 1)
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	defer m.Stop(context.Background(), g)
	booted := time.Since(start).Round(100 * time.Millisecond)
	if err := m.RecordStart(g, st); err != nil {
		return "", err
	}
	known := m.KnownHosts
	args := append(microvm.SSHArgs(g, known, true), "-o", "BatchMode=yes", "--", "echo $(id -un)@$(hostname): $(nproc) cpus, $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MiB, system $(readlink /run/current-system)")
	fmt.Fprintf(out, "$ %s\n", command.Quote(args))
	res, err := e.Local().Run(ctx, command.Cmd{Args: args, Timeout: time.Minute})
	if err != nil {
		return "", fmt.Errorf("demo: ssh into %s: %w", g.ID(), err)
	}
	fmt.Fprint(out, string(res.Stdout))
	if _, err := m.Stop(ctx, g); err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	return fmt.Sprintf("%s booted under %s in %s (%d vcpu, %d MiB) and answered over SSH: %s", g.ID(), st.Accel, booted,
		g.VM.VCPU, g.VM.MemoryMiB, strings.TrimSpace(string(res.Stdout))), nil
}
