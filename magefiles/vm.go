//go:build mage

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/microvm"
	"github.com/nixos-hub/hub/internal/parallel"
	"github.com/nixos-hub/hub/internal/runenv"
)

// Vm manages the development MicroVMs hosts declare in host.toml [[microvm]] tables
// (docs/microvm.md): on NixOS hosts microvm.nix's microvm@NAME units, on the local fleet
// (HUB_FLEET=local) real QEMU guests. A SELECTION is the hosts' syntax (names, globs, @tag,
// !exclusions; a host means all its guests) plus HOST/VM terms, VM a name or glob.
type Vm mg.Namespace

// vmSetup is what every vm:* target needs: the selected guests and their manager
// (microvm.New: driver, keys, known_hosts).
type vmSetup struct {
	guests []microvm.Guest
	m      *microvm.Manager
	e      *command.Executor
}

func newVMSetup(env runenv.Env, selection string) (*vmSetup, error) {
	f, err := env.LoadFleet()
	if err != nil {
		return nil, err
	}
	gs, err := microvm.Select(f, selection)
	if err != nil {
		return nil, err
	}
	c := microvm.Config{Exec: env.Executor()}
	if env.LocalFleet {
		c.LocalFleet = runenv.LocalFleetDir()
	}
	m, err := microvm.New(c, gs)
	if err != nil {
		c.Exec.Close()
		return nil, err
	}
	return &vmSetup{guests: gs, m: m, e: c.Exec}, nil
}

// vmEach runs job for every selected guest in parallel (HOST/VM rows), then prints the summary
// or, with -json, the report. bootTimeout bounds boots (0: the manager's default).
func vmEach(ctx context.Context, env runenv.Env, name, selection string, bootTimeout time.Duration, job func(ctx context.Context, t *parallel.Task, m *microvm.Manager, g microvm.Guest) error) error {
	ctx, stop := interruptible(ctx)
	defer stop()
	s, err := newVMSetup(env, selection)
	if err != nil {
		return err
	}
	s.m.BootTimeout = bootTimeout
	defer s.e.Close()
	rep, err := s.m.Each(ctx, s.guests, parallel.Options{Name: name, RunDir: runsDir, Out: env.Out.Progress()},
		func(ctx context.Context, t *parallel.Task, g microvm.Guest) error { return job(ctx, t, s.m, g) })
	return env.Out.Report(rep, err)
}

// vmBoot is vm:start, vm:restart and vm:update. The callbacks take the manager first, as method
// expressions ((*microvm.Manager).Update) do.
func vmBoot(ctx context.Context, env runenv.Env, phase, selection string, timeout time.Duration,
	boot func(m *microvm.Manager, ctx context.Context, g microvm.Guest) (microvm.Status, error)) error {
	return vmEach(ctx, env, "vm-"+phase, selection, timeout, func(ctx context.Context, t *parallel.Task, m *microvm.Manager, g microvm.Guest) error {
		t.Phase(phase)
		return m.BootTask(ctx, t, g, boot)
	})
}

// vmAct is the targets that run one action and show the status after it.
func vmAct(ctx context.Context, env runenv.Env, phase, selection string,
	act func(m *microvm.Manager, ctx context.Context, g microvm.Guest) (microvm.Status, error)) error {
	return vmEach(ctx, env, "vm-"+phase, selection, 0, func(ctx context.Context, t *parallel.Task, m *microvm.Manager, g microvm.Guest) error {
		t.Phase(phase)
		st, err := act(m, ctx, g)
		if err != nil {
			return err
		}
		microvm.SetRow(t, g, st, time.Now())
		return nil
	})
}

// Start boots the SELECTION's guests in parallel (local fleet: the generation of its current system, 1 for a new guest) and waits for each to answer (QEMU: its sshd up, within -timeout D, default 90s; a guest that does not boot fails with the tail of its console); prints state, accel (kvm or tcg), generation, vcpu, mem and ssh per guest; -json for machines, -dry to print the commands.
func (Vm) Start(ctx context.Context, selection string, timeout *time.Duration, json *bool, dry *bool) error {
	return vmBoot(ctx, runEnv(json, dry), "start", selection, flag(timeout, 90*time.Second), func(m *microvm.Manager, ctx context.Context, g microvm.Guest) (microvm.Status, error) {
		return m.Start(ctx, g, 0)
	})
}

// Stop ends the SELECTION's guests in parallel (QEMU: SIGTERM, then SIGKILL after 5 s; returns once no process is left); -json for machines, -dry to print the commands.
func (Vm) Stop(ctx context.Context, selection string, json *bool, dry *bool) error {
	return vmAct(ctx, runEnv(json, dry), "stop", selection, (*microvm.Manager).Stop)
}

// Restart stops and starts the SELECTION's guests in parallel on the build they have (-timeout D for the boot, default 90s); -json for machines, -dry to print the commands.
func (Vm) Restart(ctx context.Context, selection string, timeout *time.Duration, json *bool, dry *bool) error {
	return vmBoot(ctx, runEnv(json, dry), "restart", selection, flag(timeout, 90*time.Second), (*microvm.Manager).Restart)
}

// Update rebuilds the SELECTION's guests and boots the new build, like `microvm -u NAME -R`: on the local fleet the next generation of the guest's own system, built in its host's store, and a restart on it (-timeout D for the boot, default 90s); a NixOS host's declared guests are rebuilt by deploying the host, which this says; -json for machines.
func (Vm) Update(ctx context.Context, selection string, timeout *time.Duration, json *bool) error {
	return vmBoot(ctx, runEnv(json, nil), "update", selection, flag(timeout, 90*time.Second), (*microvm.Manager).Update)
}

// Status shows each guest of the SELECTION as its host reports it: state, accel, generation, uptime, vcpu, mem and ssh; an autostart guest that is not running is a warning; -json for machines.
func (Vm) Status(ctx context.Context, selection string, json *bool) error {
	env := runEnv(json, nil)
	return vmEach(ctx, env, "vm-status", selection, 0, func(ctx context.Context, t *parallel.Task, m *microvm.Manager, g microvm.Guest) error {
		st, err := m.Status(ctx, g)
		if err != nil {
			return err
		}
		microvm.SetRow(t, g, st, time.Now())
		if g.VM.Autostart && st.State != microvm.Running {
			return parallel.Warn("down", fmt.Errorf("autostart guest is %s: go tool mage vm:start %s", st.State, g.ID()))
		}
		return nil
	})
}

// List prints every declared guest of the SELECTION ("*" for all) with its host, state, vcpu/mem, ssh port and uptime, asking the hosts in parallel; -json for machines.
func (Vm) List(ctx context.Context, selection string, json *bool) error {
	env := runEnv(json, nil)
	ctx, stop := interruptible(ctx)
	defer stop()
	s, err := newVMSetup(env, selection)
	if err != nil {
		return err
	}
	defer s.e.Close()
	// Quiet: the table below is the output; a host that cannot be asked shows "unknown".
	sts := s.m.Statuses(ctx, s.guests)
	if env.Out.JSON {
		return env.Out.WriteJSON(sts)
	}
	return microvm.WriteTable(os.Stdout, sts, time.Now())
}

// SSH logs in to GUEST (HOST/VM) as its user through the port its host forwards, with the guest's host key the hub recorded at its start (strict checking on the local fleet, accept-new on first use elsewhere); -command CMD runs one command instead of a shell, -print prints the ssh command line instead of running it.
func (Vm) SSH(ctx context.Context, guest string, command *string, print *bool) error {
	env := runEnv(nil, nil)
	s, err := newVMSetup(env, guest)
	if err != nil {
		return err
	}
	s.e.Close()
	if len(s.guests) != 1 {
		return fmt.Errorf("vm:ssh takes one guest as HOST/VM; %q selects %d", guest, len(s.guests))
	}
	g := s.guests[0]
	args := microvm.SSHArgs(g, s.m.KnownHosts, s.m.Driver == microvm.QEMU)
	if c := flag(command, ""); c != "" {
		args = append(args, "--", c)
	}
	if flag(print, false) {
		fmt.Println(commandLine(args))
		return nil
	}
	bin, err := exec.LookPath("ssh")
	if err != nil {
		return fmt.Errorf("vm:ssh: %w (install openssh-client)", err)
	}
	// exec: the terminal, the exit status and signals are ssh's, as if the user had typed it.
	return syscall.Exec(bin, args, os.Environ())
}

// Logs prints the last -lines N (default 100) lines of GUEST's (HOST/VM) console (local fleet) or of its microvm@ unit's journal (NixOS hosts).
func (Vm) Logs(ctx context.Context, guest string, lines *int) error {
	env := runEnv(nil, nil)
	s, err := newVMSetup(env, guest)
	if err != nil {
		return err
	}
	defer s.e.Close()
	for _, g := range s.guests {
		out, err := s.m.Logs(ctx, g, flag(lines, 100))
		if err != nil {
			return err
		}
		if len(s.guests) > 1 {
			fmt.Printf("==> %s <==\n", g.ID())
		}
		fmt.Print(out)
	}
	return nil
}

// Create makes the SELECTION's declared guests exist on their hosts without starting them (NixOS: their install-microvm unit links the runner into /var/lib/microvms/NAME; local fleet: generation 1 of the guest's system built and linked as current); -json for machines, -dry to print the commands.
func (Vm) Create(ctx context.Context, selection string, json *bool, dry *bool) error {
	return vmAct(ctx, runEnv(json, dry), "create", selection, (*microvm.Manager).Create)
}

// Destroy stops the SELECTION's guests and deletes their state directories, volumes included (the guests stay declared: create or start brings them back empty); needs -yes, -dry prints the commands; -json for machines.
func (Vm) Destroy(ctx context.Context, selection string, yes *bool, json *bool, dry *bool) error {
	env := runEnv(json, dry)
	if !flag(yes, false) && !env.DryRun {
		return fmt.Errorf("vm:destroy deletes the guests' volumes: run it again with -yes (or -dry to see the commands)")
	}
	return vmAct(ctx, env, "destroy", selection, (*microvm.Manager).Destroy)
}

// commandLine renders argv for a person to copy, quoted for a POSIX shell.
func commandLine(args []string) string { return command.Quote(args) }
