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

	"github.com/nixos-hub/hub/pkg/nix"
)

//go:embed init.sh
var initScript []byte

const bootTimeout = 20 * time.Second

func (h Host) nixDir() string { return filepath.Join(h.Dir, "nix") }
func (h Host) runDir() string { return filepath.Join(h.Dir, "run") }
func (h Host) endpoint() string {
	return net.JoinHostPort(h.Address, strconv.Itoa(h.Port))
}

// boot starts the host: unshare creates its namespaces and runs init.sh as their pid 1, which
// mounts the host's /nix and /run, activates the boot entry and starts sshd. install, when not
// empty, is installed as generation 1 first. record is called as soon as the launcher runs, so
// that a crash during boot still leaves its pid in the state file for Down. boot returns once
// sshd answers.
func boot(ctx context.Context, h Host, install string, record func(Host) error) (Host, error) {
	console, err := os.OpenFile(filepath.Join(h.Dir, "console.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return h, fmt.Errorf("host %s: boot: %w", h.Name, err)
	}
	defer console.Close()
	fmt.Fprintf(console, "--- boot %s\n", time.Now().Format(time.RFC3339Nano))
	// No exec.CommandContext: the host outlives the call (and the process, for fleet:up).
	cmd := exec.Command("unshare", "--mount", "--uts", "--pid", "--fork", "--mount-proc",
		"--propagation", "private", "--kill-child", "--",
		"/bin/sh", filepath.Join(filepath.Dir(filepath.Dir(h.Dir)), "init.sh"), h.Dir, h.Name)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LOCALFLEET_INSTALL=" + install,
		"LOCALFLEET_NIX_CONF=" + nix.Local().Conf()}
	cmd.Stdout, cmd.Stderr = console, console
	// Its own session: a Ctrl-C meant for mage must not take the fleet down with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return h, fmt.Errorf("host %s: boot: %w", h.Name, err)
	}
	exited := make(chan struct{})
	// Reaps the launcher whenever it dies, even if this Fleet value is long gone.
	go func() { cmd.Wait(); close(exited) }()

	h.Launcher = cmd.Process.Pid
	lp, _ := readProc(h.Launcher)
	h.LauncherStart = lp.start
	h.Init, h.InitStart, h.PidNS, h.MntNS = 0, 0, "", ""
	if err := record(h); err != nil {
		kill(h)
		return h, fmt.Errorf("host %s: boot: %w", h.Name, err)
	}
	failed := func(err error) (Host, error) {
		kill(h)
		return h, fmt.Errorf("host %s: boot: %w\n%s", h.Name, err, tailFile(filepath.Join(h.Dir, "console.log"), 10))
	}
	err = waitFor(ctx, bootTimeout, "waiting for init", func() (bool, error) {
		select {
		case <-exited:
			return true, errors.New("the host's init exited")
		default:
		}
		for _, c := range children(h.Launcher) {
			if p, ok := readProc(c); ok {
				h.Init, h.InitStart = c, p.start
				h.PidNS, h.MntNS = nsOf(c, "pid"), nsOf(c, "mnt")
				return h.PidNS != "", nil
			}
		}
		return false, nil
	})
	if err != nil {
		return failed(err)
	}
	err = waitFor(ctx, bootTimeout, "waiting for sshd", func() (bool, error) {
		select {
		case <-exited:
			return true, errors.New("the host's init exited")
		default:
		}
		if _, err := os.Stat(filepath.Join(h.runDir(), "localfleet", "booted")); err != nil {
			return false, err
		}
		err := sshBanner(h.endpoint(), 500*time.Millisecond)
		return err == nil, err
	})
	if err != nil {
		return failed(err)
	}
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
	initAlive := alive(h.Init, h.InitStart)
	// The processes that entered the host's mount namespace from outside its pid namespace
	// (nsenter), listed while its init still holds the namespace and so its id is the host's.
	// Listed later, the id may already belong to a new namespace that a process of another
	// fleet, or a nix-store of this machine, created for itself (unshare): no start-time filter
	// can exclude those, since they entered it after they started. It killed a deploy's nix-env
	// and nix copy when fleets came and went side by side.
	var entered []proc
	if initAlive {
		entered = inNamespace("mnt", h.MntNS)
	}
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
	err := waitFor(context.Background(), 10*time.Second, "waiting for the host's processes to exit", func() (bool, error) {
		if alive(h.Init, h.InitStart) || alive(h.Launcher, h.LauncherStart) {
			return false, nil
		}
		// The pid namespace's id is only trusted while we know its init was alive (ids are
		// reused), and only for processes that started before the kill: a process cannot move
		// into another pid namespace after it started.
		if initAlive {
			left := startedBy(inNamespace("pid", h.PidNS), began)
			for _, p := range entered {
				if alive(p.pid, p.start) {
					left = append(left, p)
				}
			}
			for _, p := range left {
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
	}
	if len(errs) > 0 {
		return fmt.Errorf("host %s: kill: %w", h.Name, errors.Join(errs...))
	}
	return nil
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
