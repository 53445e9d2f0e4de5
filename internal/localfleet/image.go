package localfleet

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// The root file system systemd hosts boot (see systemd.go) is a Debian tree built once with
// debootstrap and shared read-only by every systemd host on the machine; each host writes into
// an overlay of its own. It lives outside the repository, keyed by a hash of what goes into it,
// so a changed package list (or layout) builds a new one and a fleet still running on the old
// one keeps its lower directory.

// EnvImageCache overrides the directory holding the images (DefaultImageCache).
const EnvImageCache = "HUB_LOCALFLEET_IMAGE_CACHE"

// EnvMirror overrides the Debian mirror debootstrap downloads from.
const EnvMirror = "HUB_LOCALFLEET_MIRROR"

const defaultMirror = "http://deb.debian.org/debian"

// DefaultImageCache is $HUB_LOCALFLEET_IMAGE_CACHE or /var/cache/hub-localfleet: per machine,
// not per checkout, since the image is the same for every fleet and costs minutes to build.
func DefaultImageCache() string {
	if d := os.Getenv(EnvImageCache); d != "" {
		return d
	}
	return "/var/cache/hub-localfleet"
}

// imageSpec is everything that decides the image's content; its hash names the image.
type imageSpec struct {
	Suite    string   `json:"suite"`
	Variant  string   `json:"variant"`
	Packages []string `json:"packages"`
	// Layout is the version of customize: bump it whenever customize changes what it writes.
	Layout int `json:"layout"`
}

// defaultImageSpec: systemd as init with dbus (systemctl, systemd-run), sshd, and nix-bin for the
// host's own nix (nix-store --serve under nix copy, nix-env in the supervisor). libdbi-perl is
// listed because debootstrap's resolver cannot pick a provider for the virtual perl-dbdabi-94
// that nix-bin's libdbd-sqlite3-perl depends on (its configure step fails without it). What a
// NixOS host has that the hub's units rely on: age, which agenix decrypts with
// (pkgs.age), and libnss-systemd, NixOS's default nss module, which gives DynamicUser=yes users
// a passwd entry (nix refuses to run for a user without a home directory).
// bookworm, not the machine's release: the image is what the tests were run against.
func defaultImageSpec() imageSpec {
	return imageSpec{Suite: "bookworm", Variant: "minbase",
		Packages: []string{"age", "dbus", "libdbi-perl", "libnss-systemd", "nix-bin", "openssh-server", "systemd", "systemd-sysv"}, Layout: 1}
}

func (s imageSpec) name() string {
	b, _ := json.Marshal(s)
	sum := sha256.Sum256(b)
	return "rootfs-" + hex.EncodeToString(sum[:])[:12]
}

// ImageOptions says where the image is cached and how to build it.
type ImageOptions struct {
	CacheDir string    // empty: DefaultImageCache()
	Mirror   string    // empty: $HUB_LOCALFLEET_MIRROR, else deb.debian.org
	Out      io.Writer // progress lines; nil discards them
}

func (o ImageOptions) cacheDir() string {
	if o.CacheDir != "" {
		return o.CacheDir
	}
	return DefaultImageCache()
}

func (o ImageOptions) mirror() string {
	if o.Mirror != "" {
		return o.Mirror
	}
	if m := os.Getenv(EnvMirror); m != "" {
		return m
	}
	return defaultMirror
}

// CachedImage is the directory of the current image in cacheDir (empty: the default) and whether
// it has been built. It never builds: tests use it to skip rather than download.
func CachedImage(cacheDir string) (string, bool) {
	if cacheDir == "" {
		cacheDir = DefaultImageCache()
	}
	dir := filepath.Join(cacheDir, defaultImageSpec().name())
	st, err := os.Stat(dir)
	return dir, err == nil && st.IsDir()
}

// EnsureImage returns the directory of the systemd hosts' root file system, building it first
// when it is not cached (debootstrap, about a minute and 340 MB; a progress line per phase).
// Concurrent callers, in this process or others, build it once: a lock serialises the builders
// and the tree is built under a temporary name and renamed into place only when complete, so a
// crashed or interrupted build never leaves a half image under the real name.
func EnsureImage(ctx context.Context, o ImageOptions) (string, error) {
	return ensureImage(ctx, o, defaultImageSpec(), debootstrap)
}

// imageBuilder fills dir with the tree of spec, writing its log to log and progress to out.
type imageBuilder func(ctx context.Context, spec imageSpec, mirror, dir string, log, out io.Writer) error

func ensureImage(ctx context.Context, o ImageOptions, spec imageSpec, build imageBuilder) (string, error) {
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	cache := o.cacheDir()
	dir := filepath.Join(cache, spec.name())
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return dir, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("localfleet image %s: %w", dir, err)
	}
	unlock, err := lockFile(ctx, filepath.Join(cache, "build.lock"), func() {
		fmt.Fprintf(out, "localfleet image: waiting for another process building it in %s\n", cache)
	})
	if err != nil {
		return "", fmt.Errorf("localfleet image %s: %w", dir, err)
	}
	defer unlock()
	// Whoever held the lock before may have built it.
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return dir, nil
	}
	// With the lock held, any temporary tree is a dead builder's leftover.
	stale, _ := filepath.Glob(filepath.Join(cache, ".build-*"))
	for _, s := range stale {
		if err := os.RemoveAll(s); err != nil {
			return "", fmt.Errorf("localfleet image %s: removing a crashed build: %w", dir, err)
		}
	}
	tmp := filepath.Join(cache, fmt.Sprintf(".build-%s-%d", spec.name(), os.Getpid()))
	logPath := filepath.Join(cache, spec.name()+".log")
	log, err := os.Create(logPath)
	if err != nil {
		return "", fmt.Errorf("localfleet image %s: %w", dir, err)
	}
	defer log.Close()
	start := time.Now()
	fmt.Fprintf(out, "localfleet image: building %s (debootstrap --variant=%s %s with %s; about a minute, once per machine; log %s)\n",
		dir, spec.Variant, spec.Suite, strings.Join(spec.Packages, ","), logPath)
	if err := build(ctx, spec, o.mirror(), tmp, log, out); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("localfleet image %s: %w (log: %s)", dir, err, logPath)
	}
	if err := customize(tmp, spec); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("localfleet image %s: customize: %w", dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("localfleet image %s: %w", dir, err)
	}
	fmt.Fprintf(out, "localfleet image: %s built in %s\n", dir, time.Since(start).Round(time.Second))
	return dir, nil
}

// lockFile takes an exclusive flock on path, polling so that ctx can cancel the wait; waiting is
// called once when another holder makes us wait.
func lockFile(ctx context.Context, path string, waiting func()) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	told := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !told {
			waiting()
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// debootstrap builds the tree. It runs in a private mount namespace: debootstrap mounts /proc
// and /sys inside the target while it configures packages, and an interrupted run must not
// leave those mounts in the machine's namespace (nor let the clean-up descend into them).
func debootstrap(ctx context.Context, spec imageSpec, mirror, dir string, log, out io.Writer) error {
	if os.Geteuid() != 0 {
		return errors.New("building the image needs root (debootstrap creates device nodes and chroots)")
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		if _, err := os.Stat("/usr/sbin/debootstrap"); err != nil {
			return errors.New("debootstrap is not installed (Debian package debootstrap; `go tool mage fleet:image` installs it)")
		}
	}
	cmd := exec.CommandContext(ctx, "unshare", "--mount", "--propagation", "private", "--",
		"debootstrap", "--variant="+spec.Variant, "--include="+strings.Join(spec.Packages, ","), spec.Suite, dir, mirror)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
	// Its dpkg and maintainer scripts die with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("debootstrap: %w", err)
	}
	done := make(chan []string)
	go func() { done <- progress(pr, log, out) }()
	err := cmd.Wait()
	pw.Close()
	tail := <-done
	if err != nil {
		return fmt.Errorf("debootstrap %s: %w: %s", spec.Suite, err, strings.Join(tail, "\n"))
	}
	return nil
}

// progress copies debootstrap's output to log and prints one line to out when it enters a phase
// (its "I: Retrieving ...", "I: Extracting ...", ... lines come one per package); it returns the
// last lines for an error message.
func progress(r io.Reader, log, out io.Writer) []string {
	phases := map[string]string{"Retrieving": "downloading packages", "Extracting": "extracting",
		"Unpacking": "unpacking", "Configuring": "configuring packages", "Base": "done"}
	start := time.Now()
	var tail []string
	// debootstrap unpacks and configures twice (required, then base packages): one line each.
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(log, line)
		tail = append(tail, line)
		if len(tail) > 10 {
			tail = tail[1:]
		}
		f := strings.Fields(strings.TrimPrefix(line, "I: "))
		if !strings.HasPrefix(line, "I: ") || len(f) == 0 {
			continue
		}
		if p, ok := phases[f[0]]; ok && !seen[p] && p != "done" {
			fmt.Fprintf(out, "localfleet image: %s (%s)\n", p, time.Since(start).Round(time.Second))
			seen[p] = true
		}
	}
	io.Copy(io.Discard, r)
	return tail
}

// customize turns the Debian tree into one the local fleet's systems drive, the way NixOS's
// activation owns /etc: the systemd units, the host name and nix.conf come from the host's
// running system, not from Debian.
func customize(root string, spec imageSpec) error {
	p := func(rel string) string { return filepath.Join(root, rel) }
	steps := []struct {
		what string
		do   func() error
	}{
		// /etc/systemd/system is the running system's (as /etc/static/systemd/system is on
		// NixOS): Debian's enablement links (ssh.service on 0.0.0.0:22 in the machine's network
		// namespace, apt timers) go, the toplevel's units come in, and a switch that repoints
		// /run/current-system changes them for the next daemon-reload.
		{"unit directory", func() error {
			if err := os.RemoveAll(p("etc/systemd/system")); err != nil {
				return err
			}
			return os.Symlink("/run/current-system/etc/systemd/system", p("etc/systemd/system"))
		}},
		// debootstrap copied the build machine's name.
		{"host name", func() error {
			if err := os.Remove(p("etc/hostname")); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			return os.Symlink("/run/current-system/etc/hostname", p("etc/hostname"))
		}},
		// An empty machine-id makes each host's first boot generate its own (from the container
		// UUID nspawn passes) and commit it into the host's overlay, instead of every host
		// sharing the id debootstrap generated.
		{"machine id", func() error {
			os.Remove(p("var/lib/dbus/machine-id"))
			return os.WriteFile(p("etc/machine-id"), nil, 0o444)
		}},
		// Mount point of the host's nix.conf (internal/nix's local settings), bound by nspawn.
		{"nix.conf mount point", func() error { return os.MkdirAll(p("etc/nix"), 0o755) }},
		// A persistent journal (in the host's overlay) keeps the previous boots' logs.
		{"persistent journal", func() error { return os.MkdirAll(p("var/log/journal"), 0o2755) }},
		// No private key in a shared image (the hosts' keys are the fleet's); no package cache;
		// root's Debian dotfiles would run dircolors on every ssh command.
		{"clean up", func() error {
			var rm []string
			for _, g := range []string{"etc/ssh/ssh_host_*", "var/cache/apt/archives/*.deb", "root/.bashrc", "root/.profile"} {
				m, _ := filepath.Glob(p(g))
				rm = append(rm, m...)
			}
			for _, f := range rm {
				if err := os.Remove(f); err != nil {
					return err
				}
			}
			return nil
		}},
		{"provenance", func() error {
			b, _ := json.MarshalIndent(spec, "", "  ")
			return os.WriteFile(p("etc/hub-localfleet-image.json"), append(b, '\n'), 0o644)
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	return nil
}
