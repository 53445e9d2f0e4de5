package localfleet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/renameio/v2"
	"golang.org/x/sync/errgroup"
)

// Up starts a fleet: keys, addresses, the per-fleet flake and inventory, generation 1 of every
// host built in one nix invocation, installed into each host's store and booted, in parallel.
// A fleet left behind by a crashed process in the same directory is torn down first; a live one
// is an error.
func Up(ctx context.Context, cfg Config) (_ *Fleet, err error) {
	if err := checkRoot(os.Geteuid()); err != nil {
		return nil, err
	}
	if cfg.Dir == "" {
		if cfg.Dir, err = DefaultDir(); err != nil {
			return nil, err
		}
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("localfleet: %w", err)
	}
	names := cfg.Hosts
	if len(names) == 0 {
		names = DefaultHosts()
	}
	if err := checkNames(names); err != nil {
		return nil, err
	}
	for _, n := range cfg.SystemdHosts {
		if !slices.Contains(names, n) {
			return nil, fmt.Errorf("localfleet: systemd host %q is not one of the fleet's hosts %v", n, names)
		}
	}
	if cfg.Source == "" {
		root, err := RepoRoot()
		if err != nil {
			return nil, err
		}
		cfg.Source = filepath.Join(root, "nix", "localfleet")
	}
	if cfg.RepoHosts == "" {
		cfg.RepoHosts = filepath.Join(cfg.Source, "..", "..", "hosts")
	}
	if old, err := Open(dir); err == nil {
		for _, h := range old.Hosts() {
			if alive(h.Init, h.InitStart) {
				return nil, fmt.Errorf("localfleet %s: a fleet is already up (host %s, pid %d): run fleet:down first", dir, h.Name, h.Init)
			}
		}
	}
	if err := Down(ctx, dir); err != nil {
		return nil, fmt.Errorf("localfleet %s: clearing a previous fleet: %w", dir, err)
	}

	// Before the machine lock: a cold image build takes a minute and holds a lock of its own.
	image := ""
	if slices.ContainsFunc(names, cfg.systemdHost) {
		if _, err := exec.LookPath("systemd-nspawn"); err != nil {
			return nil, fmt.Errorf("localfleet: systemd hosts need systemd-nspawn (Debian package systemd-container): %w", err)
		}
		if image, err = EnsureImage(ctx, cfg.Image); err != nil {
			return nil, err
		}
	}

	unlock, err := lockMachine()
	if err != nil {
		return nil, err
	}
	defer unlock()
	f := &Fleet{dir: dir, st: state{Dir: dir}}
	defer func() {
		if err != nil {
			if derr := Down(context.Background(), dir); derr != nil {
				err = errors.Join(err, derr)
			}
		}
	}()
	block, eps, err := allocate(dir, len(names))
	if err != nil {
		return nil, err
	}
	f.st.Block = block
	for i, n := range names {
		h := Host{Name: n, Address: eps[i].address, Port: eps[i].port, Dir: filepath.Join(dir, "hosts", n)}
		if cfg.systemdHost(n) {
			h.Systemd, h.Image = true, image
		}
		f.st.Hosts = append(f.st.Hosts, h)
	}
	// The state file goes first, so that a crash from here on leaves something Down can use.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("localfleet %s: %w", dir, err)
	}
	if err := f.save(); err != nil {
		return nil, err
	}
	for _, h := range f.st.Hosts {
		dirs := []string{h.nixDir()}
		if !h.Systemd {
			// A systemd host's /run is its container's tmpfs and its /root in its overlay.
			dirs = append(dirs, h.runDir(), filepath.Join(h.Dir, "root"))
		}
		for _, d := range dirs {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return nil, fmt.Errorf("host %s: %w", h.Name, err)
			}
		}
	}
	// Files rather than sh -c: the hosts' process listings stay readable.
	for name, script := range map[string][]byte{"init.sh": initScript, "nspawn.sh": nspawnScript} {
		if err := os.WriteFile(filepath.Join(dir, name), script, 0o644); err != nil {
			return nil, fmt.Errorf("localfleet %s: %w", dir, err)
		}
	}
	if err := f.writeKeys(ctx); err != nil {
		return nil, err
	}
	if err := writeFlake(cfg.Source, f.FlakeDir(), dir, f.st.Hosts); err != nil {
		return nil, fmt.Errorf("localfleet %s: %w", dir, err)
	}
	if err := writeInventory(f.InventoryDir(), f.FlakeRef(), cfg.RepoHosts, f.st.Hosts, f.SSHOptions()); err != nil {
		return nil, fmt.Errorf("localfleet %s: %w", dir, err)
	}
	systems, err := f.Build(ctx, names...)
	if err != nil {
		return nil, fmt.Errorf("localfleet %s: generation 1: %w", dir, err)
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, h := range f.Hosts() {
		g.Go(func() error {
			if err := copyToHostStore(gctx, h.Dir, systems[h.Name]); err != nil {
				return fmt.Errorf("host %s: install: %w", h.Name, err)
			}
			booted, err := boot(gctx, h, systems[h.Name], f.record)
			if rerr := f.record(booted); rerr != nil {
				return errors.Join(err, rerr)
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return f, nil
}

func checkNames(names []string) error {
	seen := map[string]bool{}
	for _, n := range names {
		if n == "" || strings.ContainsAny(n, "/ \t\n.\"'$`\\") || seen[n] {
			return fmt.Errorf("localfleet: host name %q: empty, duplicate or not a plain name", n)
		}
		seen[n] = true
	}
	return nil
}

// record stores the host's processes in the state file.
func (f *Fleet) record(h Host) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.st.Hosts {
		if f.st.Hosts[i].Name == h.Name {
			f.st.Hosts[i] = h
		}
	}
	return f.saveLocked()
}

func (f *Fleet) save() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.saveLocked()
}

// Down tears the fleet down: kills every host (so their namespaces and mounts vanish), checks
// that nothing is left, releases its addresses and removes the state directory. It works from
// the state file alone, so it cleans up after a crashed process too.
func (f *Fleet) Down(ctx context.Context) error { return Down(ctx, f.dir) }

// Down tears down the fleet whose state is in dir; a missing or empty directory is not an
// error. A directory with other content but no state file is refused rather than removed: it
// is not a fleet (a mistyped HUB_LOCALFLEET_DIR must not cost anyone their files).
func Down(ctx context.Context, dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("localfleet %s: down: %w", dir, err)
	}
	f, err := Open(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if f == nil && len(entries) > 0 {
		return fmt.Errorf("localfleet %s: down: not a local fleet directory (no state.json): refusing to remove it", dir)
	}
	if f != nil {
		var mu sync.Mutex
		var errs []error
		var wg sync.WaitGroup
		for _, h := range f.st.Hosts {
			wg.Go(func() {
				// A frozen sshd gets SIGKILL like everything else; nothing to resume first.
				if err := kill(h); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("localfleet %s: down: %w", dir, err)
		}
		release(f.st.Block, f.dir)
	}
	if m, err := mountsUnder(dir); err != nil || len(m) > 0 {
		return fmt.Errorf("localfleet %s: down: mounts left in this namespace: %v %v", dir, m, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("localfleet %s: down: %w", dir, err)
	}
	return ctx.Err()
}

// Reboot restarts the host: every process dies, /run starts empty, the boot entry (the system
// profile's generation recorded by the last switch or boot) becomes /run/booted-system and
// /run/current-system, and sshd starts with its config. A systemd host reboots through its own
// init (systemctl reboot: its units are stopped, then the launcher boots the boot entry); one
// that is down is booted afresh.
func (f *Fleet) Reboot(ctx context.Context, name string) error {
	h, err := f.Host(name)
	if err != nil {
		return err
	}
	if h.Systemd && alive(h.Init, h.InitStart) {
		// Its launcher stays up and keeps the fleet's addresses claimed (claimedByLiveFleet):
		// no machine lock for the up to four minutes a systemd reboot may take, during which
		// every other fleet's Up on the machine would wait.
		return f.rebootSystemd(ctx, h)
	}
	// Hold the address lock while the host is down, so that no new fleet takes its address.
	unlock, err := lockMachine()
	if err != nil {
		return err
	}
	defer unlock()
	if err := kill(h); err != nil {
		return fmt.Errorf("host %s: reboot: %w", name, err)
	}
	booted, berr := boot(ctx, h, "", f.record)
	if err := f.record(booted); err != nil {
		return errors.Join(berr, err)
	}
	if berr != nil {
		return fmt.Errorf("host %s: reboot: %w", name, berr)
	}
	return nil
}

// Stop stops the host's sshd: new connections are refused (existing sessions stay). Start
// undoes it.
func (f *Fleet) Stop(ctx context.Context, name string) error {
	h, p, err := f.sshd(name)
	if err != nil {
		return fmt.Errorf("host %s: stop sshd: %w", name, err)
	}
	if h.Systemd {
		// Through systemd: a signal would count as a crash and restart the unit. KillMode=process
		// keeps the sessions. A frozen sshd is continued first, or it would not act on SIGTERM.
		signal(p.pid, p.start, syscall.SIGCONT)
		if _, err := inHost(ctx, h, "systemctl", "stop", "sshd.service"); err != nil {
			return fmt.Errorf("host %s: stop sshd: %w", name, err)
		}
	}
	// SIGCONT too: a frozen sshd would not act on SIGTERM.
	if err := errors.Join(signal(p.pid, p.start, syscall.SIGTERM), signal(p.pid, p.start, syscall.SIGCONT)); err != nil {
		return fmt.Errorf("host %s: stop sshd: %w", name, err)
	}
	return waitFor(ctx, bootTimeout, fmt.Sprintf("host %s: waiting for sshd to stop", name), func() (bool, error) {
		return !alive(p.pid, p.start) && sshBanner(h.endpoint(), 200*time.Millisecond) != nil, nil
	})
}

// Start starts the host's sshd (after Stop) and waits until it answers.
func (f *Fleet) Start(ctx context.Context, name string) error {
	h, err := f.Host(name)
	if err != nil {
		return err
	}
	if h.Systemd {
		if _, err := inHost(ctx, h, "systemctl", "start", "sshd.service"); err != nil {
			return fmt.Errorf("host %s: start sshd: %w", name, err)
		}
	} else if err := signal(h.Init, h.InitStart, syscall.SIGUSR1); err != nil {
		return fmt.Errorf("host %s: start sshd: %w", name, err)
	}
	return waitFor(ctx, bootTimeout, fmt.Sprintf("host %s: waiting for sshd", name), func() (bool, error) {
		err := sshBanner(h.endpoint(), 500*time.Millisecond)
		return err == nil, err
	})
}

// Freeze stops the host's sshd with SIGSTOP: connections are accepted by the kernel but hang
// before the ssh banner, like an overloaded or half-dead host. Resume undoes it.
func (f *Fleet) Freeze(ctx context.Context, name string) error {
	_, p, err := f.sshd(name)
	if err != nil {
		return fmt.Errorf("host %s: freeze: %w", name, err)
	}
	if err := signal(p.pid, p.start, syscall.SIGSTOP); err != nil {
		return fmt.Errorf("host %s: freeze: %w", name, err)
	}
	return waitFor(ctx, bootTimeout, fmt.Sprintf("host %s: waiting for sshd to stop", name), func() (bool, error) {
		q, ok := readProc(p.pid)
		return ok && q.state == 'T', nil
	})
}

// Hang stops every process of the host with SIGSTOP, its init, sshd, its ssh sessions and
// anything they run: a host whose kernel or VM hangs. TCP connections to it are still accepted
// (by this machine's kernel) and then nothing answers. Unhang (or Heal) undoes it.
func (f *Fleet) Hang(ctx context.Context, name string) error {
	return f.signalAll(name, syscall.SIGSTOP, "hang")
}

// Unhang continues every process of a hung host.
func (f *Fleet) Unhang(ctx context.Context, name string) error {
	return f.signalAll(name, syscall.SIGCONT, "unhang")
}

func (f *Fleet) signalAll(name string, sig syscall.Signal, what string) error {
	h, err := f.Host(name)
	if err != nil {
		return err
	}
	if !alive(h.Init, h.InitStart) {
		return fmt.Errorf("host %s: %s: the host is not running", name, what)
	}
	for _, p := range startedBy(inNamespace("pid", nsOf(h.Init, "pid")), bootTicks()) {
		if err := signal(p.pid, p.start, sig); err != nil {
			return fmt.Errorf("host %s: %s: %w", name, what, err)
		}
	}
	return nil
}

// Resume continues a frozen sshd.
func (f *Fleet) Resume(ctx context.Context, name string) error {
	h, p, err := f.sshd(name)
	if err != nil {
		return fmt.Errorf("host %s: resume: %w", name, err)
	}
	if err := signal(p.pid, p.start, syscall.SIGCONT); err != nil {
		return fmt.Errorf("host %s: resume: %w", name, err)
	}
	return waitFor(ctx, bootTimeout, fmt.Sprintf("host %s: waiting for sshd", name), func() (bool, error) {
		err := sshBanner(h.endpoint(), 500*time.Millisecond)
		return err == nil, err
	})
}

// FailNextActivation makes the host's next switch-to-configuration switch|test fail with exit
// status 2 after the activation script ran (as a NixOS activation script error does). One
// activation consumes it; a reboot clears it.
func (f *Fleet) FailNextActivation(name string) error {
	h, err := f.Host(name)
	if err != nil {
		return err
	}
	path := filepath.Join(h.runDir(), "localfleet", "fail-next-activation")
	if err := os.WriteFile(path, []byte("injected by localfleet\n"), 0o644); err != nil {
		return fmt.Errorf("host %s: fail next activation: %w", name, err)
	}
	return nil
}

// SlowCopy delays every nix-store and nix-daemon started by the host's ssh sessions (what
// `nix copy --to ssh://` and `ssh-ng://` run) by delay; 0 removes the delay. A reboot clears it.
func (f *Fleet) SlowCopy(name string, delay time.Duration) error {
	h, err := f.Host(name)
	if err != nil {
		return err
	}
	bin := filepath.Join(h.runDir(), "localfleet", "bin")
	for _, tool := range []string{"nix-store", "nix-daemon"} {
		path := filepath.Join(bin, tool)
		if delay <= 0 {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("host %s: slow copy: %w", name, err)
			}
			continue
		}
		// Sessions find this first on PATH (SetEnv in the host's sshd_config).
		script := fmt.Sprintf("#!/bin/sh\n# localfleet fault: SlowCopy(%s)\nsleep %.3f\nexec /usr/bin/%s \"$@\"\n", delay, delay.Seconds(), tool)
		if err := renameio.WriteFile(path, []byte(script), 0o755); err != nil {
			return fmt.Errorf("host %s: slow copy: %w", name, err)
		}
	}
	return nil
}

// Heal undoes every fault on the host: continues a hung host, resumes and starts sshd, drops a
// pending activation failure and the copy delay.
func (f *Fleet) Heal(ctx context.Context, name string) error {
	h, err := f.Host(name)
	if err != nil {
		return err
	}
	if _, p, err := f.sshd(name); err == nil {
		if err := signal(p.pid, p.start, syscall.SIGCONT); err != nil {
			return fmt.Errorf("host %s: heal: %w", name, err)
		}
	}
	if err := os.Remove(filepath.Join(h.runDir(), "localfleet", "fail-next-activation")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("host %s: heal: %w", name, err)
	}
	if err := f.SlowCopy(name, 0); err != nil {
		return err
	}
	if alive(h.Init, h.InitStart) {
		if err := f.Unhang(ctx, name); err != nil {
			return err
		}
	}
	return f.Start(ctx, name)
}

func (f *Fleet) sshd(name string) (Host, proc, error) {
	h, err := f.Host(name)
	if err != nil {
		return h, proc{}, err
	}
	p, err := sshd(h)
	return h, p, err
}

// checkRoot stops before anything is created: the hosts' private mount and pid namespaces and
// their bind mounts need root, and failing halfway through would leave a half-built fleet.
func checkRoot(euid int) error {
	if euid != 0 {
		return fmt.Errorf("localfleet: the local fleet needs root (each host is a private mount and pid namespace with bind mounts): run as root, e.g. sudo -E go tool mage demo")
	}
	return nil
}
