package localfleet

import (
	"bufio"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nixos-hub/hub/internal/nix"
)

// A systemd host runs its system the way a NixOS machine does: systemd is pid 1, sshd is a unit,
// journald keeps the logs, and deploys go through systemd-run, unit and system-running checks.
// It is a systemd-nspawn container, started by nspawn.sh in a private mount namespace:
//
//   - root file system: the shared debootstrap image (image.go) under an overlay of the host's
//     own (rootfs-changes/ in the host's directory), so what the host writes survives a reboot
//     and never reaches another host;
//   - /nix: the host's own store directory, bound as for the lightweight hosts;
//   - /run: the container's own tmpfs, new at every boot; the machine reads it through
//     /proc/<init>/root/run;
//   - network: the machine's namespace, shared as by the lightweight hosts, so sshd listens on
//     the host's 127.0.x.y address and tests reach it without bridges, addresses or NAT that a
//     private network namespace would need to be set up (and cleaned up) on the machine;
//   - pid 1: the boot entry's stage 2 (its "init"), which activates the system and execs systemd.
//
// Why nspawn rather than systemd in the lightweight hosts' namespaces: systemd as pid 1 needs a
// cgroup subtree of its own, /sys and /proc set up as a container's, a console, and the
// "container" environment that stops it from touching the machine (udev, the clock, mounts).
// nspawn does exactly that, is packaged (systemd-container), and its exit status 133 on a reboot
// lets the launcher boot the boot entry again through a real shutdown.

//go:embed nspawn.sh
var nspawnScript []byte

// systemdBootTimeout bounds a systemd host's boot: about 10 s measured (systemd 252 to
// multi-user.target), much more on a loaded machine.
const systemdBootTimeout = 2 * time.Minute

// procRoot is a systemd host's root file system as this machine sees it: the overlay is mounted
// in the launcher's namespace only, but the init's root is reachable through /proc.
func (h Host) procRoot() string { return fmt.Sprintf("/proc/%d/root", h.Init) }

// systemdLauncher is the command that boots a systemd host.
func systemdLauncher(h Host, stateDir, install string) *exec.Cmd {
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "--",
		"/bin/sh", filepath.Join(stateDir, "nspawn.sh"), h.Dir, h.Name, h.Image, stateDir)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LOCALFLEET_INSTALL=" + install,
		"LOCALFLEET_CGROUPS=" + strings.Join(h.Cgroups, " ")}
	return cmd
}

// prepareSystemd writes what a systemd host's launcher binds into the container and creates its
// cgroups; it returns the host with the cgroups recorded, so that Down removes them.
func prepareSystemd(h Host) (Host, error) {
	conf := filepath.Join(h.Dir, "etc-nix", "nix.conf")
	if err := os.MkdirAll(filepath.Dir(conf), 0o755); err != nil {
		return h, fmt.Errorf("host %s: %w", h.Name, err)
	}
	if err := os.WriteFile(conf, []byte(nix.Local().Conf()), 0o644); err != nil {
		return h, fmt.Errorf("host %s: %w", h.Name, err)
	}
	cgs, err := hostCgroups(h.Dir)
	if err != nil {
		return h, fmt.Errorf("host %s: cgroups: %w", h.Name, err)
	}
	for _, cg := range cgs {
		if err := os.MkdirAll(cg, 0o755); err != nil {
			return h, fmt.Errorf("host %s: cgroups: %w", h.Name, err)
		}
	}
	h.Cgroups = cgs
	return h, nil
}

// hostCgroups names one cgroup directory for the host in each hierarchy nspawn uses: the unified
// (cgroup2) one and, on a hybrid machine, the named systemd one, each below this process's own
// cgroup there. The name derives from the host's directory, so it is the same at every boot.
func hostCgroups(hostDir string) ([]string, error) {
	mounts, err := cgroupMounts()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(hostDir))
	leaf := "hub-localfleet-" + hex.EncodeToString(sum[:6])
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		key := ""
		switch {
		case parts[0] == "0" && parts[1] == "":
			key = "unified"
		case parts[1] == "name=systemd":
			key = "name=systemd"
		default:
			continue
		}
		if m, ok := mounts[key]; ok {
			out = append(out, filepath.Join(m, parts[2], leaf))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no cgroup2 or name=systemd hierarchy mounted (see /proc/self/cgroup and /proc/self/mountinfo)")
	}
	return out, nil
}

// cgroupMounts maps "unified" and "name=systemd" to where those hierarchies are mounted.
func cgroupMounts() (map[string]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint options [optional...] - fstype source superoptions
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		pf, qf := strings.Fields(pre), strings.Fields(post)
		if len(pf) < 5 || len(qf) < 3 {
			continue
		}
		switch {
		case qf[0] == "cgroup2":
			if _, seen := m["unified"]; !seen {
				m["unified"] = pf[4]
			}
		case qf[0] == "cgroup" && slices.Contains(strings.Split(qf[2], ","), "name=systemd"):
			m["name=systemd"] = pf[4]
		}
	}
	return m, sc.Err()
}

// removeCgroups removes the host's cgroups, deepest first (the container's systemd made its own
// below them). The kernel refuses while a dying process is still being torn down, so it retries.
func removeCgroups(ctx context.Context, h Host) error {
	return waitFor(ctx, 10*time.Second, fmt.Sprintf("host %s: removing its cgroups", h.Name), func() (bool, error) {
		var errs []error
		for _, cg := range h.Cgroups {
			var dirs []string
			filepath.WalkDir(cg, func(path string, d os.DirEntry, err error) error {
				if err == nil && d.IsDir() {
					dirs = append(dirs, path)
				}
				return nil
			})
			for i := len(dirs) - 1; i >= 0; i-- {
				if err := syscall.Rmdir(dirs[i]); err != nil && !errors.Is(err, syscall.ENOENT) {
					errs = append(errs, fmt.Errorf("%s: %w", dirs[i], err))
				}
			}
		}
		err := errors.Join(errs...)
		return err == nil, err
	})
}

// findInit finds the host's pid 1 among the launcher's descendants: the process that is pid 1 of
// a pid namespace nested in this one (the lightweight host's init.sh, the container's init).
func findInit(launcher int) (proc, bool) {
	queue := []int{launcher}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		for _, c := range children(pid) {
			p, ok := readProc(c)
			if !ok {
				continue
			}
			if len(p.nspid) > 1 && p.nspid[len(p.nspid)-1] == 1 {
				return p, true
			}
			queue = append(queue, c)
		}
	}
	return proc{}, false
}

// inHost runs a command inside the host (all of its init's namespaces), as a console login would;
// the fleet needs it where ssh would not do: a reboot through the host's own init, the boot's
// progress before sshd runs.
func inHost(ctx context.Context, h Host, args ...string) ([]byte, error) {
	if !alive(h.Init, h.InitStart) {
		return nil, fmt.Errorf("host %s: the host is down", h.Name)
	}
	out, err := run(ctx, "", nil, "nsenter", append([]string{"-t", strconv.Itoa(h.Init), "-a", "--"}, args...)...)
	if err != nil {
		return out, fmt.Errorf("host %s: %w", h.Name, err)
	}
	return out, nil
}

// InHost runs a command inside the named host through its init's namespaces (nsenter), which
// reaches it even when its sshd does not answer: faults such as killing sshd.service, and
// checks of what the host's systemd did.
func (f *Fleet) InHost(ctx context.Context, name string, args ...string) ([]byte, error) {
	h, err := f.Host(name)
	if err != nil {
		return nil, err
	}
	return inHost(ctx, h, args...)
}

// systemState is `systemctl is-system-running` on the host: initializing, starting, running,
// degraded, stopping, ...
func systemState(ctx context.Context, h Host) string {
	out, _ := inHost(ctx, h, "systemctl", "is-system-running")
	return strings.TrimSpace(string(out))
}

// SystemState is `systemctl is-system-running` on a systemd host, asked through its init rather
// than over ssh.
func (f *Fleet) SystemState(ctx context.Context, name string) (string, error) {
	h, err := f.Host(name)
	if err != nil {
		return "", err
	}
	if !h.Systemd {
		return "", fmt.Errorf("host %s: not a systemd host", name)
	}
	return systemState(ctx, h), nil
}

// systemdBooted reports whether the host's boot is over: stage 2 ran (/run/booted-system), systemd
// has no boot jobs left (running, or degraded when a unit failed), and sshd answers.
func systemdBooted(ctx context.Context, h Host) (bool, error) {
	if _, err := os.Lstat(filepath.Join(h.runDir(), "booted-system")); err != nil {
		return false, fmt.Errorf("stage 2 has not run: %w", err)
	}
	switch st := systemState(ctx, h); st {
	case "running", "degraded":
	default:
		return false, fmt.Errorf("systemctl is-system-running: %q", st)
	}
	if err := sshBanner(h.endpoint(), 500*time.Millisecond); err != nil {
		return false, err
	}
	return true, nil
}

// rebootSystemd reboots a systemd host through its own init: systemd stops its units and exits,
// nspawn exits 133 and the launcher boots the boot entry in a new container.
func (f *Fleet) rebootSystemd(ctx context.Context, h Host) error {
	if !alive(h.Launcher, h.LauncherStart) {
		return fmt.Errorf("host %s: reboot: the host is down (no launcher)", h.Name)
	}
	old := h
	if _, err := inHost(ctx, h, "systemctl", "reboot"); err != nil {
		return fmt.Errorf("host %s: reboot: %w", h.Name, err)
	}
	err := waitFor(ctx, systemdBootTimeout, fmt.Sprintf("host %s: waiting for the shutdown", h.Name), func() (bool, error) {
		return !alive(old.Init, old.InitStart), nil
	})
	if err != nil {
		return err
	}
	booted, err := waitBooted(ctx, h)
	if rerr := f.record(booted); rerr != nil {
		return errors.Join(err, rerr)
	}
	if err != nil {
		return fmt.Errorf("host %s: reboot: %w\n%s", h.Name, err, tailFile(filepath.Join(h.Dir, "console.log"), 10))
	}
	return nil
}
