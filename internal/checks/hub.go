package checks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/devshell"
	"github.com/nixos-hub/hub/internal/features"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/magerun"
	"github.com/nixos-hub/hub/internal/mdlinks"
	"github.com/nixos-hub/hub/internal/monitoring"
	"github.com/nixos-hub/hub/internal/nixlint"
	"github.com/nixos-hub/hub/internal/nixoptions"
	"github.com/nixos-hub/hub/internal/nixparse"
	"github.com/nixos-hub/hub/internal/secrets"
	"github.com/nixos-hub/hub/internal/shlint"
	"github.com/nixos-hub/hub/internal/sysdeps"
	"github.com/nixos-hub/hub/internal/vendorhash"
)

// Hub is the hub's own list of suites, run by `go tool mage test:parallel`. Each capability adds
// its suites here, so CI runs everything without a second list to keep in sync.
func Hub(root string) []Suite {
	unit := goTest("unit", root, "-timeout", "15m", "./...")
	// Unit tests reach real tools: sshd for the local fleet, nix for stores, age and restic for
	// interop, promtool for metrics, Alertmanager for alert delivery.
	unit.Tools = []sysdeps.Tool{sysdeps.Nix, sysdeps.NixInst, sysdeps.SSH, sysdeps.SSHKeygen, sysdeps.SSHKeyscan,
		sysdeps.SSHD, sysdeps.Unshare, sysdeps.Age, sysdeps.Restic, sysdeps.Prometheus, sysdeps.Promtool, sysdeps.Alertmanager, sysdeps.Amtool, sysdeps.NodeExporter, sysdeps.Git,
		sysdeps.SQLite3, sysdeps.Dig, sysdeps.Lsblk, sysdeps.Losetup, sysdeps.Parted, sysdeps.MkfsFat, sysdeps.MkfsExt4, sysdeps.Blkid, sysdeps.Wipefs,
		sysdeps.Nspawn, sysdeps.Debootstrap, sysdeps.Shfmt, sysdeps.Luac, sysdeps.Tmux, sysdeps.Zsh, sysdeps.Sudo}
	unit.Tools = append(unit.Tools, sysdeps.MicroVM...)
	unit.Prepare = systemdImage
	// 15m as for unit: internal/deploy's local-fleet tests take 7.5 minutes under -race alone.
	race := goTest("race", root, "-race", "-timeout", "15m",
		"./internal/parallel/...", "./internal/checks/...", "./internal/media/...", "./internal/exporter/...",
		// Goroutines per host or per file: secrets' re-encryption and fleet jobs, restic's
		// progress readers and backup's fleet runs, the deploy's builder, supervisor waits and
		// rollout.
		"./internal/secrets/...", "./internal/backup/...", "./internal/deploy/...")
	race.Tools = unit.Tools
	return []Suite{
		unit,
		race,
		funcSuite("vet", func(ctx context.Context, out io.Writer) error { return vet(ctx, root, out) }),
		funcSuite("nix-syntax", func(ctx context.Context, out io.Writer) error {
			n, err := nixparse.Check(ctx, root)
			fmt.Fprintf(out, "%d .nix files parsed\n", n)
			return err
		}, sysdeps.NixInst),
		// Offline: the options every module sets or reads exist in nixos-25.11 with values of the
		// right kind, against the recorded manifest (internal/nixoptions; no nixpkgs needed).
		funcSuite("nix-options", func(ctx context.Context, out io.Writer) error {
			rep, err := nixoptions.Check(ctx, nixoptions.Options{Root: root})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%d files, %d hosts: %d options set, checked against %s\n", rep.Files, rep.Hosts, len(rep.Set), nixoptions.ManifestFile)
			return rep.Err()
		}, sysdeps.NixInst),
		funcSuite("features", func(ctx context.Context, out io.Writer) error {
			return features.CheckRepo(ctx, root, out)
		}, sysdeps.NixInst),
		// Offline: each language's devShell has exactly the packages its lang-* feature installs.
		funcSuite("dev-shells", func(ctx context.Context, out io.Writer) error {
			res, err := devshell.Compare(ctx, root)
			if err == nil {
				fmt.Fprintf(out, "%d languages: every devShell has its host feature's packages\n", len(res))
			}
			return err
		}, sysdeps.NixInst),
		// The scripts the hub runs on hosts and in the local fleet: a bashism where dash runs
		// them, a typo'd variable, a test that is always true.
		funcSuite("shell-lint", func(ctx context.Context, out io.Writer) error {
			n, err := shlint.Check(ctx, (&command.Executor{}).Local(), root, out)
			fmt.Fprintf(out, "%d shell scripts checked with shellcheck\n", n)
			return err
		}, sysdeps.ShellCheck),
		// statix/deadnix-style rules, offline and with Go alone (internal/nixlint): dead let
		// bindings, unused arguments, top-level with, comparisons with booleans.
		funcSuite("nix-lint", func(ctx context.Context, out io.Writer) error {
			n, fs, err := nixlint.Check(ctx, root)
			if err != nil {
				return err
			}
			for _, f := range fs {
				fmt.Fprintln(out, f)
			}
			fmt.Fprintf(out, "%d .nix files linted, %d findings\n", n, len(fs))
			return nixlint.Err(fs)
		}),
		// README and docs: every relative link and #anchor leads somewhere (nothing external is fetched).
		funcSuite("markdown-links", func(ctx context.Context, out io.Writer) error {
			r, err := mdlinks.Check(root)
			if err != nil {
				return err
			}
			for _, b := range r.Broken {
				fmt.Fprintln(out, b)
			}
			fmt.Fprintf(out, "%d Markdown files, %d links (%d external, not followed), %d broken\n", r.Files, r.Links, r.External, len(r.Broken))
			return r.Err()
		}),
		funcSuite("eval", func(ctx context.Context, out io.Writer) error {
			return EvalHosts(ctx, root, out)
		}, sysdeps.Nix, sysdeps.Unshare),
		funcSuite("hosts", func(ctx context.Context, out io.Writer) error {
			f, err := inventory.Load(filepath.Join(root, "hosts"))
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "inventory ok: %d hosts\n", len(f.Hosts))
			return nil
		}),
		funcSuite("monitoring", func(ctx context.Context, out io.Writer) error {
			f, err := inventory.Load(filepath.Join(root, "hosts"))
			if err != nil {
				return err
			}
			return monitoring.CheckRepo(ctx, (&command.Executor{}).Local(), f, filepath.Join(root, "secrets"), filepath.Join(root, "monitoring"), out)
		}, sysdeps.Promtool, sysdeps.Amtool),
		funcSuite("vendor-hash", func(ctx context.Context, out io.Writer) error {
			h, err := vendorhash.Check(ctx, (&command.Executor{}).Local(), root)
			if err == nil {
				fmt.Fprintf(out, "%s matches go.mod/go.sum: %s\n", vendorhash.File, h)
			}
			return err
		}, sysdeps.Nix),
		funcSuite("secrets-check", func(ctx context.Context, out io.Writer) error {
			r, err := secrets.LoadRules(ctx, (&command.Executor{}).Local(), filepath.Join(root, "secrets", "secrets.nix"))
			if err != nil {
				return err
			}
			if err := secrets.Check(r); err != nil {
				return err
			}
			refs, hosts, err := r.CheckConfiguration(root)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%d secrets match secrets.nix; %d references in the configuration provisioned and declared on its %d hosts\n", len(r.Entries), refs, hosts)
			return nil
		}, sysdeps.NixInst),
	}
}

// systemdImage builds the local fleet's systemd host image when it is not cached: about a minute,
// once per machine, from the Debian mirror, a set-up step like installing the tools (tests only
// talk to loopback and never build it). A machine that cannot build it (offline, not root)
// still runs everything else: the systemd host tests then skip, saying why.
func systemdImage(ctx context.Context, out io.Writer) error {
	if dir, ok := localfleet.CachedImage(""); ok {
		fmt.Fprintf(out, "systemd host image: %s\n", dir)
		return nil
	}
	_, err := localfleet.EnsureImage(ctx, localfleet.ImageOptions{Out: out})
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(out, "warning: the local fleet's systemd host image could not be built, its tests will be skipped: %v\n", err)
		return nil
	}
	return err
}

// EvalHosts evaluates every host's toplevel against the flake's locked inputs, offline (no
// packet can leave: test suites send traffic nowhere). Where the lock or the locked inputs are
// not on this machine it returns a SkipError with the reason: the suite is SKIPPED, never
// passed, since nothing was evaluated.
func EvalHosts(ctx context.Context, root string, out io.Writer) error {
	f, err := inventory.Load(filepath.Join(root, "hosts"))
	if err != nil {
		return err
	}
	ev := features.Evaluator{Root: root, Parallel: runtime.NumCPU(), ProbeTimeout: time.Minute, Offline: true}
	results, err := ev.EvalHosts(ctx, f.Names())
	if nl, ok := errors.AsType[*features.NoLockError](err); ok {
		return skip("%v", nl)
	}
	if ue, ok := errors.AsType[*features.UnreachableError](err); ok {
		return skip("the inputs locked in flake.lock are not in this machine's store and the suite does not fetch (%v); fetch them with `nix flake archive` on a networked machine", lastLine(ue.Reason.Error()))
	}
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(out, "FAIL %-10s %v\n", r.Host, r.Err)
		} else {
			fmt.Fprintf(out, "ok   %-10s %s (%s)\n", r.Host, r.DrvPath, r.Duration.Round(time.Millisecond))
		}
	}
	return err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// vet runs go vet on the packages and on the magefiles (which need the mage build tag), and
// gofmt -l on everything.
//
// It holds the magefiles' compile lock (internal/magerun) meanwhile: a concurrent `go tool mage` run
// writes its generated main into magefiles/, which go vet and gofmt would otherwise read.
func vet(ctx context.Context, root string, out io.Writer) error {
	unlock, err := magerun.Lock(filepath.Join(root, "magefiles"))
	if err != nil {
		return err
	}
	defer unlock()
	local := (&command.Executor{}).Local()
	steps := [][]string{
		{"go", "vet", "./..."},
		{"go", "vet", "-tags", "mage", "./magefiles/"},
	}
	for _, args := range steps {
		res, err := local.Run(ctx, command.Cmd{Args: append([]string{"env", "-C", root}, args...)})
		out.Write(res.Stderr)
		if err != nil {
			return fmt.Errorf("%s: %w", strings.Join(args, " "), err)
		}
		fmt.Fprintf(out, "%s: clean\n", strings.Join(args, " "))
	}
	res, err := local.Run(ctx, command.Cmd{Args: []string{"gofmt", "-l", root}})
	if err != nil {
		return fmt.Errorf("gofmt: %w", err)
	}
	var files []string
	for _, f := range strings.Fields(string(res.Stdout)) {
		if rel, err := filepath.Rel(root, f); err == nil {
			f = rel
		}
		files = append(files, f)
	}
	if len(files) > 0 {
		return fmt.Errorf("gofmt would change %s: run gofmt -w", strings.Join(files, ", "))
	}
	fmt.Fprintln(out, "gofmt: clean")
	return nil
}

// Tools lists every system tool the suites need, for one install step up front.
func Tools(suites []Suite) []sysdeps.Tool {
	var all []sysdeps.Tool
	for _, s := range suites {
		all = append(all, s.Tools...)
	}
	return all
}
