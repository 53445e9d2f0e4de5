//go:build mage

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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

// vmSetup is what every vm:* target needs: the selected guests and a manager for them.
type vmSetup struct {
	guests     []microvm.Guest
	m          *microvm.Manager
	e          *command.Executor
	knownHosts string
	khMu       sync.Mutex // guests started in parallel rewrite one known_hosts file
}

// vmDriver is the local fleet's QEMU driver with HUB_FLEET=local, microvm.nix's units otherwise.
func vmDriver(env runenv.Env) microvm.Driver {
	if env.LocalFleet {
		return microvm.QEMU
	}
	return microvm.Systemd
}

// vmKnownHosts is where the hub keeps the guests' host keys: next to the local fleet's own
// known_hosts for its guests, under .hub/ for real ones.
func vmKnownHosts(env runenv.Env) string {
	if env.LocalFleet {
		return filepath.Join(runenv.LocalFleetDir(), "microvm_known_hosts")
	}
	return filepath.Join(".hub", "microvm", "known_hosts")
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
	e := env.Executor()
	m := &microvm.Manager{Exec: e, Driver: vmDriver(env)}
	if m.Driver == microvm.QEMU {
		// The QEMU guests get the keys the hub logs in to their host with: the local fleet's
		// identity and whatever host.toml's [users] lists.
		if pub, err := os.ReadFile(filepath.Join(runenv.LocalFleetDir(), "id_ed25519.pub")); err == nil {
			m.Keys = append(m.Keys, strings.TrimSpace(string(pub)))
		}
		for _, g := range gs {
			m.Keys = append(m.Keys, g.Host.Users.AuthorizedKeys...)
		}
		if len(m.Keys) == 0 {
			e.Close()
			return nil, errors.New("no key to install in the guests: start the local fleet (go tool mage fleet:up) or add [users] authorized_keys")
		}
	}
	return &vmSetup{guests: gs, m: m, e: e, knownHosts: vmKnownHosts(env)}, nil
}

// vmEach runs job for every selected guest in parallel (HOST/VM rows), then prints the summary
// or, with -json, the report. bootTimeout bounds boots (0: the manager's default).
func vmEach(ctx context.Context, env runenv.Env, name, selection string, bootTimeout time.Duration, job func(ctx context.Context, t *parallel.Task, s *vmSetup, g microvm.Guest) error) error {
	ctx, stop := interruptible(ctx)
	defer stop()
	s, err := newVMSetup(env, selection)
	if err != nil {
		return err
	}
	s.m.BootTimeout = bootTimeout
	defer s.e.Close()
	names := make([]string, len(s.guests))
	byID := map[string]microvm.Guest{}
	for i, g := range s.guests {
		names[i], byID[g.ID()] = g.ID(), g
	}
	rep, err := parallel.Run(ctx, names, func(ctx context.Context, t *parallel.Task) error {
		return job(ctx, t, s, byID[t.Host()])
	}, parallel.Options{Name: name, Limit: 8, KeepGoing: true, RunDir: runsDir, Out: env.Out.Progress()})
	return env.Out.Report(rep, err)
}

// setStatus puts a guest's status into its summary row.
func setStatus(t *parallel.Task, g microvm.Guest, st microvm.Status) {
	t.Set("state", st.State)
	t.Set("vcpu", fmt.Sprint(st.VCPU))
	t.Set("mem", fmt.Sprintf("%dMiB", st.MemoryMiB))
	if st.Accel != "" {
		t.Set("accel", st.Accel)
	}
	if st.Generation != "" {
		t.Set("generation", st.Generation)
	}
	if up := st.Uptime(time.Now()); up > 0 {
		t.Set("uptime", up.String())
	}
	t.Set("ssh", fmt.Sprintf("%s:%d", g.Host.SSH.Destination, g.VM.SSHPort))
}

// started records a QEMU guest's host key (its sshd's, reported by its start) for vm:ssh.
func (s *vmSetup) started(t *parallel.Task, g microvm.Guest, st microvm.Status) error {
	setStatus(t, g, st)
	if st.HostKey == "" {
		return nil
	}
	s.khMu.Lock()
	defer s.khMu.Unlock()
	return microvm.RecordHostKey(s.knownHosts, g, st.HostKey)
}

// vmBoot is vm:start, vm:restart and vm:update: boot and record the guest's host key. The
// callbacks take the manager first, as method expressions ((*microvm.Manager).Update) do.
func vmBoot(ctx context.Context, env runenv.Env, phase, selection string, timeout time.Duration,
	boot func(m *microvm.Manager, ctx context.Context, g microvm.Guest) (microvm.Status, error)) error {
	return vmEach(ctx, env, "vm-"+phase, selection, timeout, func(ctx context.Context, t *parallel.Task, s *vmSetup, g microvm.Guest) error {
		t.Phase(phase)
		st, err := boot(s.m, ctx, g)
		var be *microvm.BootError
		if errors.As(err, &be) {
			// The console goes to the guest's output and log; the summary gets one line.
			for _, line := range strings.Split(strings.TrimRight(be.Console, "\n"), "\n") {
				t.Logf("console: %s", line)
			}
			return fmt.Errorf("%s did not boot (%s): its console is above and in go tool mage vm:logs %s", g.ID(), be.Reason, g.ID())
		}
		if err != nil {
			return err
		}
		return s.started(t, g, st)
	})
}

// vmAct is the targets that run one action and show the status after it.
func vmAct(ctx context.Context, env runenv.Env, phase, selection string,
	act func(m *microvm.Manager, ctx context.Context, g microvm.Guest) (microvm.Status, error)) error {
	return vmEach(ctx, env, "vm-"+phase, selection, 0, func(ctx context.Context, t *parallel.Task, s *vmSetup, g microvm.Guest) error {
		t.Phase(phase)
		st, err := act(s.m, ctx, g)
		if err != nil {
			return err
		}
		setStatus(t, g, st)
		return nil
	})
}

// Start boots the SELECTION's guests in parallel and waits for each to answer (QEMU: its sshd up, within -timeout D, default 90s; a guest that does not boot fails with the tail of its console); prints state, accel (kvm or tcg), generation, vcpu, mem and ssh per guest; -json for machines, -dry to print the commands.
func (Vm) Start(ctx context.Context, selection string, timeout *time.Duration, json *bool, dry *bool) error {
	return vmBoot(ctx, runEnv(json, dry), "start", selection, flag(timeout, 90*time.Second), func(m *microvm.Manager, ctx context.Context, g microvm.Guest) (microvm.Status, error) {
		return m.Start(ctx, g, 1)
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

// Update rebuilds the SELECTION's guests and boots the new build, like `microvm -u NAME -R`: on the local fleet a new generation of the guest's initramfs and a restart (-timeout D for the boot, default 90s); a NixOS host's declared guests are rebuilt by deploying the host, which this says; -json for machines.
func (Vm) Update(ctx context.Context, selection string, timeout *time.Duration, json *bool) error {
	return vmBoot(ctx, runEnv(json, nil), "update", selection, flag(timeout, 90*time.Second), (*microvm.Manager).Update)
}

// Status shows each guest of the SELECTION as its host reports it: state, accel, generation, uptime, vcpu, mem and ssh; an autostart guest that is not running is a warning; -json for machines.
func (Vm) Status(ctx context.Context, selection string, json *bool) error {
	env := runEnv(json, nil)
	return vmEach(ctx, env, "vm-status", selection, 0, func(ctx context.Context, t *parallel.Task, s *vmSetup, g microvm.Guest) error {
		st, err := s.m.Status(ctx, g)
		if err != nil {
			return err
		}
		setStatus(t, g, st)
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
	sts := make([]microvm.Status, len(s.guests))
	var mu sync.Mutex
	names := make([]string, len(s.guests))
	index := map[string]int{}
	for i, g := range s.guests {
		names[i], index[g.ID()] = g.ID(), i
	}
	// Quiet: the table below is the output; a host that cannot be asked shows "unknown".
	_, _ = parallel.Run(ctx, names, func(ctx context.Context, t *parallel.Task) error {
		i := index[t.Host()]
		g := s.guests[i]
		st, err := s.m.Status(ctx, g)
		if err != nil {
			st = microvm.Status{Host: g.Host.Name, VM: g.VM.Name, State: "unknown", VCPU: g.VM.VCPU, MemoryMiB: g.VM.MemoryMiB, SSHPort: g.VM.SSHPort, Autostart: g.VM.Autostart}
		}
		mu.Lock()
		sts[i] = st
		mu.Unlock()
		return err
	}, parallel.Options{Name: "vm-list", Limit: 8, KeepGoing: true, Out: io.Discard})
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
	args := microvm.SSHArgs(g, s.knownHosts, s.m.Driver == microvm.QEMU)
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

// Create makes the SELECTION's declared guests exist on their hosts without starting them (NixOS: their install-microvm unit links the runner into /var/lib/microvms/NAME); -json for machines, -dry to print the commands.
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
