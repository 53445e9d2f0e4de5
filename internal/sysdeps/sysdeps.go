// Package sysdeps makes sure the system tools the hub calls exist. As root on a Debian-family
// machine it installs what is missing with apt-get and says so; anywhere else it stops and lists
// exactly what is missing and how to get it, because a half-run test suite that fails on a missing
// binary halfway through is worse than not starting.
//
// Entry points: [Ensure] installs or reports the missing [Tool]s and [Find] locates one.
package sysdeps

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

// Tool is one external program the hub needs.
type Tool struct {
	Binary  string // looked up on PATH, then in /usr/sbin and /sbin
	Package string // the Debian package that provides it
	Why     string // what needs it, shown when it is missing
	// Works, when set, proves the tool can do its job once it is found: a nix that is installed
	// but cannot build fails here, in one line, instead of in the middle of a test suite.
	Works func(ctx context.Context) error
}

// Tools the hub's targets and suites call. Suites pick from these.
var (
	Nix          = Tool{"nix", "nix-bin", "building, copying and evaluating NixOS systems", nixBuilds}
	NixInst      = Tool{"nix-instantiate", "nix-bin", "parsing and evaluating .nix files", nil}
	SSH          = Tool{"ssh", "openssh-client", "reaching hosts", nil}
	SSHKeygen    = Tool{"ssh-keygen", "openssh-client", "host and client keys of the local fleet", nil}
	SSHKeyscan   = Tool{"ssh-keyscan", "openssh-client", "comparing host keys with secrets.nix", nil}
	SSHD         = Tool{"sshd", "openssh-server", "the local fleet's hosts", nil}
	Age          = Tool{"age", "age", "interop tests of age files; secrets the local fleet's hosts decrypt (agenix's layout)", nil}
	Restic       = Tool{"restic", "restic", "backups", nil}
	Prometheus   = Tool{"prometheus", "prometheus", "scraping the exporters in tests", nil}
	Promtool     = Tool{"promtool", "prometheus", "checking metrics and alert rules", nil}
	Alertmanager = Tool{"prometheus-alertmanager", "prometheus-alertmanager", "the alert delivery test (Debian's name of the alertmanager binary)", nil}
	Amtool       = Tool{"amtool", "prometheus-alertmanager", "checking the generated Alertmanager configuration and its routes", nil}
	Unshare      = Tool{"unshare", "util-linux", "the local fleet's private mount namespaces", nil}
	Git          = Tool{"git", "git", "repository backups and change detection", nil}
	SQLite3      = Tool{"sqlite3", "sqlite3", "consistent copies of live SQLite databases before backups", nil}
	Dig          = Tool{"dig", "bind9-dnsutils", "net:doctor asks each configured DNS server (loopback ones in tests) directly", nil}
	Lsblk        = Tool{"lsblk", "util-linux", "finding USB sticks and the disks the system runs from", nil}
	Losetup      = Tool{"losetup", "mount", "loop devices standing in for USB sticks in tests", nil}
	Parted       = Tool{"parted", "parted", "the installer wizard's partitioning, run on a loop device in tests", nil}
	MkfsFat      = Tool{"mkfs.fat", "dosfstools", "the installer wizard's EFI system partition", nil}
	MkfsExt4     = Tool{"mkfs.ext4", "e2fsprogs", "the installer wizard's root file system", nil}
	Blkid        = Tool{"blkid", "util-linux", "reading back the labels the installer wizard wrote", nil}
	Wipefs       = Tool{"wipefs", "util-linux", "the installer wizard's disk wipe", nil}
	NodeExporter = Tool{"prometheus-node-exporter", "prometheus-node-exporter", "the exporter benchmark's reference", nil}
	Nspawn       = Tool{"systemd-nspawn", "systemd-container", "the local fleet's systemd hosts (systemd as pid 1 in a container)", nil}
	Debootstrap  = Tool{"debootstrap", "debootstrap", "building the root file system image of the local fleet's systemd hosts", nil}
	ShellCheck   = Tool{"shellcheck", "shellcheck", "linting the shell scripts the hub ships and runs on hosts", nil}
	Shfmt        = Tool{"shfmt", "shfmt", "formatting the shell scripts (go tool mage fmt)", nil}
	// The local fleet's MicroVMs (internal/microvm): qemu boots Debian's kernel with an initramfs of
	// busybox and dropbear. The kernel is a file, not a program: Debian links /vmlinuz to it.
	qemu        = Tool{"qemu-system-x86_64", "qemu-system-x86", "the local fleet's MicroVMs", nil}
	busybox     = Tool{"busybox", "busybox-static", "the shell and tools of the local fleet's MicroVM initramfs", nil}
	dropbear    = Tool{"dropbear", "dropbear-bin", "the sshd of the local fleet's MicroVMs", nil}
	dropbearkey = Tool{"dropbearkey", "dropbear-bin", "the host keys of the local fleet's MicroVMs", nil}
	kernel      = Tool{"/vmlinuz", "linux-image-amd64", "the kernel the local fleet's MicroVMs boot", nil}
	Luac        = Tool{"luac5.4", "lua5.4", "compiling the Neovim init the neovim feature generates", nil}
	Tmux        = Tool{"tmux", "tmux", "sourcing the tmux configuration the tmux feature generates", nil}
	Zsh         = Tool{"zsh", "zsh", "running the Zsh startup code the zsh feature generates", nil}
	Sudo        = Tool{"sudo", "sudo", "hosts whose sudo asks a password (ssh.sudo_password), tested with real sudo on a local host", nil}
)

// MicroVM is what the local fleet's MicroVMs need (internal/microvm, the QEMU driver).
var MicroVM = []Tool{qemu, busybox, dropbear, dropbearkey, kernel}

// plan is what Ensure will do about missing tools.
type plan struct {
	Missing []Tool
	Install []string // Debian packages to apt-get install; empty when we cannot install
	Reason  string   // why we cannot install, when Missing is non-empty and Install is empty
}

// check finds the missing tools and decides how to get them on this machine.
func check(tools []Tool) plan {
	var missing []Tool
	seen := map[string]bool{}
	for _, t := range tools {
		if seen[t.Binary] {
			continue
		}
		seen[t.Binary] = true
		if _, err := Find(t.Binary); err != nil {
			missing = append(missing, t)
		}
	}
	return decide(missing, os.Geteuid(), readOSRelease("/etc/os-release"), hasBinary("apt-get"))
}

// decide is the pure part of Check, so each machine kind is tested.
func decide(missing []Tool, euid int, osRelease map[string]string, haveApt bool) plan {
	p := plan{Missing: missing}
	if len(missing) == 0 {
		return p
	}
	debian := osRelease["ID"] == "debian" || slices.Contains(strings.Fields(osRelease["ID_LIKE"]), "debian")
	switch {
	case !debian || !haveApt:
		name := osRelease["PRETTY_NAME"]
		if name == "" {
			name = "this system"
		}
		p.Reason = fmt.Sprintf("%s is not Debian-family with apt-get", name)
	case euid != 0:
		p.Reason = "not running as root"
	default:
		for _, t := range missing {
			if !slices.Contains(p.Install, t.Package) {
				p.Install = append(p.Install, t.Package)
			}
		}
		sort.Strings(p.Install)
	}
	return p
}

// Error lists exactly what is missing and how to get it.
func (p plan) Error() error {
	if len(p.Missing) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "missing tools (%s, so they were not installed):\n", p.Reason)
	var pkgs []string
	for _, t := range p.Missing {
		fmt.Fprintf(&b, "  %-26s Debian package %-26s needed for %s\n", t.Binary, t.Package, t.Why)
		if !slices.Contains(pkgs, t.Package) {
			pkgs = append(pkgs, t.Package)
		}
	}
	fmt.Fprintf(&b, "install them with: sudo apt-get install %s\n", strings.Join(pkgs, " "))
	b.WriteString("or, on NixOS or with Nix: nix develop (the flake's dev shell has every tool), then run the command again")
	return errors.New(b.String())
}

// nixBuilds builds one trivial derivation with the settings of the local fleet and the tests,
// the only users of Ensure.
func nixBuilds(ctx context.Context) error {
	return nix.Probe(ctx, (&command.Executor{}).Local(), nix.Local())
}

// Ensure installs missing tools when it can, and otherwise returns the list of what is missing;
// then it proves that the tools that can be proved work.
func Ensure(ctx context.Context, tools []Tool, out io.Writer) error {
	if err := install(ctx, tools, out); err != nil {
		return err
	}
	return works(ctx, tools)
}

// works runs each distinct tool's Works check once.
func works(ctx context.Context, tools []Tool) error {
	seen := map[string]bool{}
	for _, t := range tools {
		if t.Works == nil || seen[t.Binary] {
			continue
		}
		seen[t.Binary] = true
		if err := t.Works(ctx); err != nil {
			return fmt.Errorf("%s is installed but does not work: %w", t.Binary, err)
		}
	}
	return nil
}

func install(ctx context.Context, tools []Tool, out io.Writer) error {
	p := check(tools)
	if len(p.Missing) == 0 {
		return nil
	}
	if len(p.Install) == 0 {
		return p.Error()
	}
	fmt.Fprintf(out, "installing missing tools with apt-get: %s\n", strings.Join(p.Install, " "))
	local := (&command.Executor{}).Local()
	env := []string{"DEBIAN_FRONTEND=noninteractive"}
	steps := [][]string{
		{"apt-get", "update", "-qq"},
		append([]string{"apt-get", "install", "-y", "-qq", "--no-install-recommends"}, p.Install...),
	}
	for _, args := range steps {
		if _, err := local.Run(ctx, command.Cmd{Args: args, Env: env}); err != nil {
			return fmt.Errorf("installing %s: %w", strings.Join(p.Install, " "), err)
		}
	}
	if again := check(tools); len(again.Missing) > 0 {
		again.Reason = "apt-get installed the packages but the tools are still not found"
		return again.Error()
	}
	return nil
}

// Find locates a binary on PATH or in the sbin directories that a non-login PATH may lack.
// An absolute name is a file that must exist (the kernel: not a program, not on PATH).
func Find(name string) (string, error) {
	if strings.HasPrefix(name, "/") {
		if _, err := os.Stat(name); err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		return name, nil
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		p := dir + "/" + name
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found on PATH or in /usr/sbin", name)
}

func hasBinary(name string) bool { _, err := Find(name); return err == nil }

func readOSRelease(path string) map[string]string {
	m := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if ok {
			m[k] = strings.Trim(v, `"'`)
		}
	}
	return m
}
