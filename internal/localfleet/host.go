package localfleet

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nixos-hub/hub/internal/nix"
)

//go:embed init.sh
var initScript []byte

const bootTimeout = 20 * time.Second

func (h Host) nixDir() string { return filepath.Join(h.Dir, "nix") }

// RunDir is the host's /run as this machine sees it: a directory of the host's for a
// lightweight host, the container's own tmpfs (through its init's root) for a systemd host.
func (h Host) RunDir() string { return h.runDir() }

func (h Host) runDir() string {
	if h.Systemd {
		return filepath.Join(h.procRoot(), "run")
	}
	return filepath.Join(h.Dir, "run")
}
func (h Host) endpoint() string {
	return net.JoinHostPort(h.Address, strconv.Itoa(h.Port))
}

// boot starts the host: unshare creates its namespaces and runs init.sh as their pid 1, which
// mounts the host's /nix and /run, activates the boot entry and starts sshd; for a systemd host
// it runs nspawn.sh, which boots the boot entry in a container (systemd.go). install, when not
// empty, is installed as generation 1 first. record is called as soon as the launcher runs, so
// that a crash during boot still leaves its pid in the state file for Down. boot returns once
// sshd answers (and, on a systemd host, the boot is over).
func boot(ctx context.Context, h Host, install string, record func(Host) error) (Host, error) {
	console, err := os.OpenFile(filepath.Join(h.Dir, "console.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return h, fmt.Errorf("host %s: boot: %w", h.Name, err)
	}
	defer console.Close()
	fmt.Fprintf(console, "--- boot %s\n", time.Now().Format(time.RFC3339Nano))
	stateDir := filepath.Dir(filepath.Dir(h.Dir))
	// No exec.CommandContext: the host outlives the call (and the process, for fleet:up).
	var cmd *exec.Cmd
	if h.Systemd {
		if h, err = prepareSystemd(h); err != nil {
			return h, fmt.Errorf("host %s: boot: %w", h.Name, err)
		}
		// The cgroups go into the state file before anything can run in them: Down removes them.
		if err := record(h); err != nil {
			return h, fmt.Errorf("host %s: boot: %w", h.Name, err)
		}
		cmd = systemdLauncher(h, stateDir, install)
	} else {
		cmd = exec.Command("unshare", "--mount", "--uts", "--pid", "--fork", "--mount-proc",
			"--propagation", "private", "--kill-child", "--",
			"/bin/sh", filepath.Join(stateDir, "init.sh"), h.Dir, h.Name)
		cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LOCALFLEET_INSTALL=" + install,
			"LOCALFLEET_NIX_CONF=" + nix.Local().Conf()}
	}
	cmd.Stdout, cmd.Stderr = console, console
	// Its own session: a Ctrl-C meant for mage must not take the fleet down with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return h, fmt.Errorf("host %s: boot: %w", h.Name, err)
	}
	// Reaps the launcher whenever it dies, even if this Fleet value is long gone.
	go cmd.Wait()

	h.Launcher = cmd.Process.Pid
	lp, _ := readProc(h.Launcher)
	h.LauncherStart = lp.start
	if err := record(h); err != nil {
		kill(h)
		return h, fmt.Errorf("host %s: boot: %w", h.Name, err)
	}
	booted, err := waitBooted(ctx, h)
	if err != nil {
		kill(booted)
		return booted, fmt.Errorf("host %s: boot: %w\n%s", h.Name, err, tailFile(filepath.Join(h.Dir, "console.log"), 10))
	}
	return booted, nil
}

// waitBooted waits for the host's (new) init under its launcher and then for the end of its
// boot, and returns the host with the init recorded.
func waitBooted(ctx context.Context, h Host) (Host, error) {
	timeout := bootTimeout
	if h.Systemd {
		timeout = systemdBootTimeout
	}
	h.Init, h.InitStart, h.PidNS, h.MntNS = 0, 0, "", ""
	launcherGone := func() error {
		if !alive(h.Launcher, h.LauncherStart) {
			return errors.New("the host's launcher exited")
		}
		return nil
	}
	err := waitFor(ctx, timeout, "waiting for init", func() (bool, error) {
		if err := launcherGone(); err != nil {
			return true, err
		}
		if p, ok := findInit(h.Launcher); ok {
			h.Init, h.InitStart = p.pid, p.start
			h.PidNS, h.MntNS = nsOf(p.pid, "pid"), nsOf(p.pid, "mnt")
			return h.PidNS != "", nil
		}
		return false, nil
	})
	if err != nil {
		return h, err
	}
	// Asking systemd costs a process per try: a slower pace than the file checks.
	var next time.Time
	err = waitFor(ctx, timeout, "waiting for the boot to finish", func() (bool, error) {
		if err := launcherGone(); err != nil {
			return true, err
		}
		if !h.Systemd {
			if _, err := os.Stat(filepath.Join(h.runDir(), "localfleet", "booted")); err != nil {
				return false, err
			}
			err := sshBanner(h.endpoint(), 500*time.Millisecond)
			return err == nil, err
		}
		if time.Now().Before(next) {
			return false, nil
		}
		next = time.Now().Add(250 * time.Millisecond)
		return systemdBooted(ctx, h)
	})
	if err != nil {
		return h, err
	}
	// nspawn sets the container's mount namespace up after it forked the init: read it now.
	h.MntNS = nsOf(h.Init, "mnt")
	return h, nil
}

// sshBanner connects and reads the server's identification line.
func sshBanner(endpoint string, timeout time.Duration) error {
	c, err := net.DialTimeout("tcp", endpoint, timeout)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return fmt.Errorf("%s: no ssh banner: %w", endpoint, err)
	}
	if !strings.HasPrefix(line, "SSH-2.0-") {
		return fmt.Errorf("%s: not an ssh server: %q", endpoint, line)
	}
	return nil
}

// kill ends every process of the host. Killing pid 1 of a pid namespace makes the kernel kill
// everything else in it; the mount namespace, and with it the /nix and /run mounts, goes away
// with the last process.
func kill(h Host) error {
	began := bootTicks()
	// A systemd host's launcher is a chain (sh, nspawn, the container's init): collected now,
	// since they are reparented out of reach once the launcher dies. The init may not be
	// recorded yet when the boot failed early.
	var chain []proc
	if h.Systemd && alive(h.Launcher, h.LauncherStart) {
		chain = descendants(h.Launcher)
		if !alive(h.Init, h.InitStart) {
			if p, ok := findInit(h.Launcher); ok {
				h.Init, h.InitStart = p.pid, p.start
				h.PidNS, h.MntNS = nsOf(p.pid, "pid"), nsOf(p.pid, "mnt")
			}
		}
	}
	// The sweep below finds stragglers by namespace id, which is only safe while the id still
	// names this host's namespace: pinned ones stay alive until kill returns.
	pins, initAlive := pinNamespaces(h)
	defer func() {
		for _, f := range pins {
			f.Close()
		}
	}()
	var errs []error
	if initAlive {
		if err := signal(h.Init, h.InitStart, syscall.SIGKILL); err != nil {
			errs = append(errs, err)
		}
		// unshare reaps its child and exits by itself; killing both at once would orphan the
		// init to pid 1, which is slow to reap on some machines.
		waitFor(context.Background(), 2*time.Second, "launcher exit", func() (bool, error) {
			return !alive(h.Launcher, h.LauncherStart), nil
		})
	}
	if err := signal(h.Launcher, h.LauncherStart, syscall.SIGKILL); err != nil {
		errs = append(errs, err)
	}
	for _, p := range chain {
		if err := signal(p.pid, p.start, syscall.SIGKILL); err != nil {
			errs = append(errs, err)
		}
	}
	err := waitFor(context.Background(), 10*time.Second, "waiting for the host's processes to exit", func() (bool, error) {
		if alive(h.Init, h.InitStart) || alive(h.Launcher, h.LauncherStart) {
			return false, nil
		}
		for _, p := range chain {
			if alive(p.pid, p.start) {
				return false, nil
			}
		}
		// Only through the pinned namespaces: an id is handed to the next namespace made
		// anywhere once the last reference to it is gone.
		if initAlive {
			left := startedBy(append(inNamespace("pid", h.PidNS), inNamespace("mnt", h.MntNS)...), began)
			for _, p := range left {
				// Only nsenter-ed processes can be in the mount namespace outside the pid one.
				signal(p.pid, p.start, syscall.SIGKILL)
			}
			if len(left) > 0 {
				return false, fmt.Errorf("%d processes left, e.g. pid %d (%s, state %c)", len(left), left[0].pid, left[0].cmd, left[0].state)
			}
		}
		return true, nil
	})
	if err != nil {
		errs = append(errs, err)
	} else if len(h.Cgroups) > 0 {
		if err := removeCgroups(context.Background(), h); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("host %s: kill: %w", h.Name, errors.Join(errs...))
	}
	return nil
}

// pinNamespaces opens the host's init's pid and mount namespaces and reports whether they are
// the ones recorded for the host, with its init still alive. An open namespace file keeps the
// namespace, and so its id, alive. Without that the kernel gives a dead namespace's id to the
// next namespace created anywhere on the machine, and every nix process makes a mount
// namespace of its own as it starts: a sweep by id then SIGKILLed other fleets' and tests' nix
// processes (started before the teardown, so the start time guard let them through), which
// showed up as "nix copy ... exit status -1" when two test runs shared the machine.
func pinNamespaces(h Host) ([]*os.File, bool) {
	if !alive(h.Init, h.InitStart) || h.PidNS == "" || h.MntNS == "" {
		return nil, false
	}
	var pins []*os.File
	fail := func() ([]*os.File, bool) {
		for _, p := range pins {
			p.Close()
		}
		return nil, false
	}
	for _, ns := range []struct{ kind, want string }{{"pid", h.PidNS}, {"mnt", h.MntNS}} {
		f, err := os.Open(fmt.Sprintf("/proc/%d/ns/%s", h.Init, ns.kind))
		if err != nil {
			return fail()
		}
		pins = append(pins, f)
		if got, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", f.Fd())); err != nil || got != ns.want {
			return fail()
		}
	}
	// The opens may have raced the init's death and the reuse of its pid.
	if !alive(h.Init, h.InitStart) {
		return fail()
	}
	return pins, true
}

func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return lastLines(string(b), n)
}

// sshd returns the host's listening sshd as this machine sees it.
func sshd(h Host) (proc, error) {
	b, err := os.ReadFile(filepath.Join(h.runDir(), "sshd.pid"))
	if errors.Is(err, os.ErrNotExist) && alive(h.Init, h.InitStart) {
		// An activation removes the pid file before it reloads sshd, and a frozen sshd cannot
		// write it again: the listener is still the init's sshd child.
		for _, p := range inNamespace("pid", h.PidNS) {
			if p.ppid == h.Init && strings.Contains(p.cmd, "sshd") {
				return p, nil
			}
		}
	}
	if err != nil {
		return proc{}, fmt.Errorf("host %s: sshd is not running: %w", h.Name, err)
	}
	local, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return proc{}, fmt.Errorf("host %s: sshd.pid: %w", h.Name, err)
	}
	if !alive(h.Init, h.InitStart) {
		return proc{}, fmt.Errorf("host %s: the host is down", h.Name)
	}
	for _, p := range inNamespace("pid", h.PidNS) {
		if len(p.nspid) > 1 && p.nspid[len(p.nspid)-1] == local {
			return p, nil
		}
	}
	return proc{}, fmt.Errorf("host %s: sshd (pid %d in the host) is not running", h.Name, local)
}
