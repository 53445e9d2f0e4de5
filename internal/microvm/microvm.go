// Package microvm runs the development VMs a host declares in its [[microvm]] tables: start,
// stop, restart, status, logs, update, create and destroy, each one remote command on the host
// through the hub's executor (internal/command), so selections fan out like any other host work.
//
// Two drivers say what those commands are. Systemd is a NixOS host with microvm.nix
// (modules/virtualization/microvm.nix): its microvm@NAME.service units, install-microvm-NAME and
// /var/lib/microvms/NAME. QEMU is the local fleet, whose hosts run no systemd. There each guest
// has a system of its own: a builtins-only toplevel made from its [[microvm]] table (guest.nix:
// hostname, user and keys, features, shares, ports, generation) and built in the host's store
// through internal/nix, as the local fleet's host systems are. The embedded hub-microvm script
// (qemu.sh) boots it: an initramfs of busybox, dropbear and kernel modules (stage 1), the
// machine's Debian kernel in qemu-system-x86_64 with -smp and -m from the table, the host's
// /nix/store shared read-only over 9p at /nix/.ro-store (as microvm.nix mounts it), init= the
// system's init, and user-mode networking forwarding the guest's port 22 to ssh_port on the
// host's address. It uses KVM when a probe boot shows KVM works on the machine and TCG
// otherwise, and reports which.
package microvm

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
)

//go:embed qemu.sh
var qemuScript string

//go:embed guest.nix
var guestExpr string

// Driver names how a host runs its guests.
type Driver string

const (
	// Systemd drives microvm.nix's units on a NixOS host.
	Systemd Driver = "systemd"
	// QEMU runs qemu-system-x86_64 through the hub-microvm script (the local fleet).
	QEMU Driver = "qemu"
)

// States of a guest.
const (
	Running = "running"
	Stopped = "stopped"
	Absent  = "absent" // declared, but never created on the host (no state directory)
	Failed  = "failed" // its unit failed (systemd)
)

// Guest is one declared VM on its host.
type Guest struct {
	Host *inventory.Host
	VM   inventory.MicroVM
}

// ID is HOST/VM, the name vm:* targets take.
func (g Guest) ID() string { return g.Host.Name + "/" + g.VM.Name }

// Status is what a host says about one guest.
type Status struct {
	Host       string `json:"host"`
	VM         string `json:"vm"`
	State      string `json:"state"`
	PID        int    `json:"pid,omitempty"`
	Accel      string `json:"accel,omitempty"`      // kvm or tcg (QEMU driver)
	Generation string `json:"generation,omitempty"` // QEMU: the build counter; systemd: the booted runner
	// System is the guest's toplevel (QEMU): the booted one while it runs, else the installed one.
	System    string    `json:"system,omitempty"`
	Since     time.Time `json:"since,omitempty"` // when it entered State (running: its start)
	VCPU      int       `json:"vcpu"`
	MemoryMiB int       `json:"memory_mib"`
	SSHPort   int       `json:"ssh_port"`
	Autostart bool      `json:"autostart"`
	HostKey   string    `json:"host_key,omitempty"` // the guest's sshd key, reported by a QEMU start
}

// Uptime is how long a running guest has run; 0 otherwise.
func (s Status) Uptime(now time.Time) time.Duration {
	if s.State != Running || s.Since.IsZero() {
		return 0
	}
	return now.Sub(s.Since).Truncate(time.Second)
}

// Manager runs guest commands on hosts.
type Manager struct {
	Exec   *command.Executor
	Driver Driver
	// Keys are the authorized_keys lines the guest's system installs for its user (QEMU driver;
	// on NixOS the guest's users module installs the host's keys).
	Keys []string
	// BootTimeout bounds a QEMU start until the guest's sshd runs; 0: 90 s. A guest that does
	// not boot in time is stopped and its console log returned in the error.
	BootTimeout time.Duration
	// Kernel, when set, is the guest kernel (QEMU driver); empty: the newest /boot/vmlinuz-*.
	Kernel string
	// Accel forces kvm or tcg (QEMU driver); empty: detected once per machine.
	Accel string
	// Append is extra kernel command line (QEMU driver), e.g. to make a test guest fail.
	Append string
	// KnownHosts is the file the guests' host keys are recorded in (RecordStart) and vm:ssh
	// checks them against.
	KnownHosts string
	khMu       sync.Mutex
}

func (m *Manager) bootTimeout() time.Duration {
	if m.BootTimeout > 0 {
		return m.BootTimeout
	}
	return 90 * time.Second
}

func (m *Manager) host(g Guest) *command.Host { return m.Exec.SSH(g.Host.Name, g.Host.SSH) }

// QEMUStateDir is where the QEMU driver keeps each guest's directory on its host (hub-microvm's
// HUB_MICROVM_DIR): the host's /run, which a local fleet host has to itself and empties at boot.
// Each <dir>/<name> has microvm.nix's current and booted links, so hub-nixos-exporter's microvm
// collector reads it as it reads /var/lib/microvms (--nixos.microvm-state-dir).
const QEMUStateDir = "/run/hub-microvms"

// UnitName is microvm.nix's unit of the guest.
func UnitName(vm string) string { return "microvm@" + vm + ".service" }

// qemuArgs is the remote command line of one hub-microvm action.
func (m *Manager) qemuArgs(g Guest, action string, args ...string) []string {
	env := []string{"env", "HUB_MICROVM_BOOT_TIMEOUT=" + strconv.Itoa(int(m.bootTimeout().Seconds())), "HUB_MICROVM_DIR=" + QEMUStateDir,
		"HUB_MICROVM_BUILD_ROOT=" + GCRoot(g.VM.Name)}
	if m.Kernel != "" {
		env = append(env, "HUB_MICROVM_KERNEL="+m.Kernel)
	}
	if m.Accel != "" {
		env = append(env, "HUB_MICROVM_ACCEL="+m.Accel)
	}
	if m.Append != "" {
		env = append(env, "HUB_MICROVM_APPEND="+m.Append)
	}
	if g.VM.DiskMiB > 0 {
		env = append(env, "HUB_MICROVM_DISK_MIB="+strconv.Itoa(g.VM.DiskMiB))
	}
	var shares []string
	for i, s := range g.VM.Shares {
		mode := "rw"
		if s.ReadOnly {
			mode = "ro"
		}
		shares = append(shares, s.Tag(i)+":"+s.Source+":"+s.Mount+":"+mode)
	}
	if len(shares) > 0 {
		env = append(env, "HUB_MICROVM_SHARES="+strings.Join(shares, " "))
	}
	return append(append(env, "sh", "-c", qemuScript, "hub-microvm", action, g.VM.Name), args...)
}

// systemdArgs is the remote command line of one action on a microvm.nix host.
func systemdArgs(g Guest, action string, lines int) ([]string, error) {
	unit := UnitName(g.VM.Name)
	dir := g.VM.StateDir()
	switch action {
	case "start", "stop", "restart":
		return []string{"systemctl", action, unit}, nil
	case "create":
		// A declared guest is installed by its install unit (the runner linked as current);
		// the host's activation does the same, this is for a guest removed with destroy.
		return []string{"systemctl", "start", "install-microvm-" + g.VM.Name + ".service"}, nil
	case "destroy":
		return []string{"sh", "-c", `systemctl stop "$1" && rm -rf --one-file-system -- "$2"`, "sh", unit, dir}, nil
	case "status":
		return []string{"sh", "-c", `systemctl show "$1" --property=ActiveState,SubState,MainPID,ActiveEnterTimestamp --timestamp=unix; ` +
			`if [ -d "$2" ]; then echo Dir=yes; echo "Booted=$(readlink "$2/booted" || true)"; else echo Dir=no; fi`, "sh", unit, dir}, nil
	case "logs":
		return []string{"journalctl", "--unit=" + unit, "--lines=" + strconv.Itoa(lines), "--no-pager", "--output=short-iso"}, nil
	}
	return nil, fmt.Errorf("microvm: unknown action %q", action)
}

// ErrDeclarative is vm:update on a microvm.nix host: its guests are part of the host's system.
var ErrDeclarative = errors.New("declared guests are rebuilt with their host: deploy it (go tool mage deploy:switch HOST); microvm.nix's install unit links the new runner and restarts the guest when it changed")

// Start boots the guest and returns its status; an already running guest is left alone. QEMU
// first builds generation gen of the guest's system; gen 0 is the generation it has (its
// current system's, 1 for a new guest).
func (m *Manager) Start(ctx context.Context, g Guest, gen int) (Status, error) {
	if m.Driver != QEMU {
		return m.act(ctx, g, "start")
	}
	if gen <= 0 {
		st, err := m.Status(ctx, g)
		if err != nil {
			return Status{}, err
		}
		gen, _ = strconv.Atoi(st.Generation)
	}
	return m.qemuStart(ctx, g, max(gen, 1), "")
}

// Stop ends the guest; QEMU's stop returns only once its process is gone.
func (m *Manager) Stop(ctx context.Context, g Guest) (Status, error) { return m.act(ctx, g, "stop") }

// Restart stops and starts the guest on the system it has (QEMU: its current link, as
// microvm@NAME.service boots current; built first when there is none).
func (m *Manager) Restart(ctx context.Context, g Guest) (Status, error) {
	if m.Driver == QEMU {
		st, err := m.Status(ctx, g)
		if err != nil {
			return Status{}, err
		}
		if _, err := m.Stop(ctx, g); err != nil {
			return Status{}, err
		}
		gen, _ := strconv.Atoi(st.Generation)
		return m.qemuStart(ctx, g, max(gen, 1), st.System)
	}
	return m.act(ctx, g, "restart")
}

// Update rebuilds the guest and boots the new build, the way `microvm -u NAME -R` does: QEMU
// builds the next generation of the guest's system and restarts the guest on it. On a
// microvm.nix host it is ErrDeclarative.
func (m *Manager) Update(ctx context.Context, g Guest) (Status, error) {
	if m.Driver != QEMU {
		return Status{}, fmt.Errorf("%s: %w", g.ID(), ErrDeclarative)
	}
	st, err := m.Status(ctx, g)
	if err != nil {
		return Status{}, err
	}
	gen, _ := strconv.Atoi(st.Generation)
	// Built before the stop: a system that does not build leaves the guest running.
	system, err := m.BuildSystem(ctx, g, gen+1)
	if err != nil {
		return Status{}, err
	}
	if _, err := m.Stop(ctx, g); err != nil {
		return Status{}, err
	}
	return m.qemuStart(ctx, g, gen+1, system)
}

// Create makes the guest exist on its host without starting it: systemd, its install unit;
// QEMU, generation 1 of its system built and installed as current, as install-microvm-NAME
// links the runner. A guest that exists is left as it is.
func (m *Manager) Create(ctx context.Context, g Guest) (Status, error) {
	if m.Driver != QEMU {
		return m.act(ctx, g, "create")
	}
	st, err := m.Status(ctx, g)
	if err != nil || st.State != Absent {
		return st, err
	}
	system, err := m.BuildSystem(ctx, g, 1)
	if err != nil {
		return Status{}, err
	}
	if _, err := m.host(g).Run(ctx, command.Cmd{Args: m.qemuArgs(g, "install", "1", system), Timeout: time.Minute}); err != nil {
		return Status{}, fmt.Errorf("%s: create: %w", g.ID(), err)
	}
	return m.Status(ctx, g)
}

// Destroy stops the guest and removes its state directory (volumes included).
func (m *Manager) Destroy(ctx context.Context, g Guest) (Status, error) {
	return m.act(ctx, g, "destroy")
}

// Logs is the tail of the guest's console (QEMU) or of its unit's journal (systemd).
func (m *Manager) Logs(ctx context.Context, g Guest, lines int) (string, error) {
	args, err := m.args(g, "logs", lines)
	if err != nil {
		return "", err
	}
	res, err := m.host(g).Run(ctx, command.Cmd{Args: args, Timeout: time.Minute})
	if err != nil {
		return "", fmt.Errorf("%s: logs: %w", g.ID(), err)
	}
	return string(res.Stdout), nil
}

func (m *Manager) args(g Guest, action string, lines int) ([]string, error) {
	if m.Driver == QEMU {
		if action == "logs" {
			return m.qemuArgs(g, action, strconv.Itoa(lines)), nil
		}
		return m.qemuArgs(g, action), nil
	}
	return systemdArgs(g, action, lines)
}

// act runs one action on the guest's host and returns the guest's status after it.
func (m *Manager) act(ctx context.Context, g Guest, action string) (Status, error) {
	args, err := m.args(g, action, 0)
	if err != nil {
		return Status{}, err
	}
	if _, err := m.host(g).Run(ctx, command.Cmd{Args: args, Timeout: 2 * time.Minute}); err != nil {
		return Status{}, fmt.Errorf("%s: %s: %w", g.ID(), action, err)
	}
	return m.Status(ctx, g)
}

// Status asks the host about the guest.
func (m *Manager) Status(ctx context.Context, g Guest) (Status, error) {
	args, err := m.args(g, "status", 0)
	if err != nil {
		return Status{}, err
	}
	res, err := m.host(g).Run(ctx, command.Cmd{Args: args, Timeout: time.Minute})
	if err != nil {
		return Status{}, fmt.Errorf("%s: status: %w", g.ID(), err)
	}
	st := Status{Host: g.Host.Name, VM: g.VM.Name, VCPU: g.VM.VCPU, MemoryMiB: g.VM.MemoryMiB, SSHPort: g.VM.SSHPort, Autostart: g.VM.Autostart}
	if res.DryRun {
		st.State = "dry-run"
		return st, nil
	}
	if m.Driver == QEMU {
		err = parseQEMUStatus(string(res.Stdout), &st)
	} else {
		err = parseSystemdStatus(string(res.Stdout), &st)
	}
	if err != nil {
		return Status{}, fmt.Errorf("%s: status: %w", g.ID(), err)
	}
	return st, nil
}

// parseQEMUStatus reads hub-microvm's status line: state pid accel generation started vcpu mem
// system.
func parseQEMUStatus(out string, st *Status) error {
	f := strings.Fields(out)
	if len(f) != 8 {
		return fmt.Errorf("unexpected hub-microvm status %q", strings.TrimSpace(out))
	}
	st.State = f[0]
	if f[0] != Running && f[0] != Stopped && f[0] != Absent {
		return fmt.Errorf("unexpected state %q", f[0])
	}
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if f[1] != "-" {
		st.PID = num(f[1])
	}
	if f[2] != "-" {
		st.Accel = f[2]
	}
	if f[3] != "-" {
		st.Generation = f[3]
	}
	if f[4] != "-" {
		st.Since = time.Unix(int64(num(f[4])), 0)
	}
	// What QEMU was started with, which is what the guest has (-smp, -m).
	if f[5] != "-" {
		st.VCPU, st.MemoryMiB = num(f[5]), num(f[6])
	}
	if f[7] != "-" {
		st.System = f[7]
	}
	return nil
}

// parseSystemdStatus reads `systemctl show` properties and the state directory's lines.
func parseSystemdStatus(out string, st *Status) error {
	props := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			props[k] = v
		}
	}
	active, ok := props["ActiveState"]
	if !ok {
		return fmt.Errorf("no ActiveState in systemctl show output %q", strings.TrimSpace(out))
	}
	switch {
	case active == "active" || active == "reloading" || active == "activating":
		st.State = Running
	case active == "failed":
		st.State = Failed
	case props["Dir"] == "no":
		st.State = Absent
	default:
		st.State = Stopped
	}
	st.PID, _ = strconv.Atoi(props["MainPID"])
	if ts := strings.TrimPrefix(props["ActiveEnterTimestamp"], "@"); ts != "" {
		if n, err := strconv.ParseInt(ts, 10, 64); err == nil && n > 0 {
			st.Since = time.Unix(n, 0)
		}
	}
	st.Generation = props["Booted"]
	return nil
}

// BootError is a guest that did not come up; Console is the tail of its serial console.
type BootError struct {
	Guest   string
	Reason  string
	Console string
}

func (e *BootError) Error() string {
	return fmt.Sprintf("%s did not boot (%s); its console:\n%s", e.Guest, e.Reason, e.Console)
}

// qemuStart boots system (built as generation gen first when empty) with QEMU.
func (m *Manager) qemuStart(ctx context.Context, g Guest, gen int, system string) (Status, error) {
	if system == "" {
		var err error
		if system, err = m.BuildSystem(ctx, g, gen); err != nil {
			return Status{}, err
		}
	}
	args := []string{strconv.Itoa(gen), system, strconv.Itoa(g.VM.VCPU), strconv.Itoa(g.VM.MemoryMiB),
		g.Host.SSH.Destination, strconv.Itoa(g.VM.SSHPort)}
	for _, p := range g.VM.Ports {
		args = append(args, fmt.Sprintf("%d:%d", p.Host, p.Guest))
	}
	res, err := m.host(g).Run(ctx, command.Cmd{Args: m.qemuArgs(g, "start", args...), Timeout: m.bootTimeout() + time.Minute})
	if err != nil {
		// hub-microvm's boot failure is "hub-microvm: NAME did not boot (WHY, ACCEL); console:"
		// and the console's tail; anything else (no kernel, no qemu) is a plain error.
		var ee *command.ExitError
		if errors.As(err, &ee) && !ee.Unreachable() {
			first, console, _ := strings.Cut(string(ee.Stderr), "\n")
			if _, why, ok := strings.Cut(first, " did not boot ("); ok {
				why, _, _ = strings.Cut(why, "); console:")
				return Status{}, &BootError{Guest: g.ID(), Reason: why, Console: console}
			}
		}
		return Status{}, fmt.Errorf("%s: start: %w", g.ID(), err)
	}
	if res.DryRun {
		return Status{Host: g.Host.Name, VM: g.VM.Name, State: "dry-run"}, nil
	}
	st, err := m.Status(ctx, g)
	if err != nil {
		return Status{}, err
	}
	for _, line := range strings.Split(string(res.Stdout), "\n") {
		if k, ok := strings.CutPrefix(line, "hostkey "); ok {
			st.HostKey = strings.TrimSpace(k)
		}
	}
	return st, nil
}
