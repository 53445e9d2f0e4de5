package features

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// Runner runs a command in dir and returns its stdout; tests substitute a fake.
type Runner func(ctx context.Context, dir, name string, args ...string) ([]byte, error)

// ExecRunner runs commands with os/exec, folding stderr into the error.
func ExecRunner(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// UnreachableError means the flake's inputs (nixpkgs first of all) could not be fetched, so
// evaluation was skipped rather than failed.
type UnreachableError struct{ Reason error }

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("skipped: the flake inputs (nixpkgs) are not reachable: %v", e.Reason)
}

func (e *UnreachableError) Unwrap() error { return e.Reason }

// NoLockError means the flake has no flake.lock: its inputs are not pinned, so no evaluation
// could say anything about the nixpkgs the flake will really use, and making the lock needs
// the network (nix flake lock fetches every input).
type NoLockError struct{ Path string }

func (e *NoLockError) Error() string {
	return fmt.Sprintf("%s does not exist: the flake's inputs (nixpkgs nixos-25.11, agenix, lanzaboote, microvm.nix) are not locked and a lock cannot be made offline; on a machine with network run `nix flake lock` in the repository and commit flake.lock", e.Path)
}

// CheckLock returns a *NoLockError when the flake at root has no flake.lock.
func CheckLock(root string) error {
	path := filepath.Join(root, "flake.lock")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return &NoLockError{Path: path}
	} else if err != nil {
		return fmt.Errorf("flake lock: %w", err)
	}
	return nil
}

// EvalResult is one host's toplevel evaluation.
type EvalResult struct {
	Host     string
	DrvPath  string
	Duration time.Duration
	Err      error
}

// Evaluator evaluates the toplevel of every host of the flake at Root.
type Evaluator struct {
	Root         string
	Parallel     int           // hosts evaluated at once; values below 1 mean 1
	ProbeTimeout time.Duration // how long fetching the inputs may take before they count as unreachable
	Run          Runner        // nil means ExecRunner
	// Offline runs every nix call in a network namespace of its own (unshare --net), so the
	// evaluation uses what this machine's store already has and cannot send a packet: what a
	// test suite needs. It needs root.
	Offline bool
}

func nixArgs(args ...string) []string {
	return append([]string{"--extra-experimental-features", "nix-command flakes"}, args...)
}

// EvalHosts first resolves the flake's inputs within ProbeTimeout (nix flake archive fetches them into the store, without
// writing a lock file); when that fails it returns an *UnreachableError and no results. Otherwise
// it evaluates nixosConfigurations.<host>.config.system.build.toplevel.drvPath for every host,
// Parallel at a time, and returns one result per host in the given order; the error is non-nil
// if any host failed.
func (e Evaluator) EvalHosts(ctx context.Context, hosts []string) ([]EvalResult, error) {
	if err := CheckLock(e.Root); err != nil {
		return nil, err
	}
	run := e.Run
	if run == nil {
		run = ExecRunner
	}
	if e.Offline {
		inner := run
		run = func(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
			// One download attempt: there is no network to retry against.
			args = append([]string{"--net", "--", name, "--offline", "--option", "download-attempts", "1"}, args...)
			return inner(ctx, dir, "unshare", args...)
		}
	}
	probeCtx, cancel := context.WithTimeout(ctx, e.ProbeTimeout)
	_, err := run(probeCtx, e.Root, "nix", nixArgs("flake", "archive", "--json", "--no-write-lock-file", ".")...)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &UnreachableError{Reason: err}
	}

	results := make([]EvalResult, len(hosts))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(e.Parallel, 1))
	for i, h := range hosts {
		g.Go(func() error {
			start := time.Now()
			attr := fmt.Sprintf(".#nixosConfigurations.%s.config.system.build.toplevel.drvPath", h)
			out, err := run(gctx, e.Root, "nix", nixArgs("eval", "--raw", "--no-write-lock-file", attr)...)
			results[i] = EvalResult{Host: h, DrvPath: strings.TrimSpace(string(out)), Duration: time.Since(start)}
			if err != nil {
				results[i].Err = fmt.Errorf("host %s: evaluating toplevel: %w", h, err)
			}
			// One host failing must not cancel the others: the report lists every broken host.
			return nil
		})
	}
	_ = g.Wait()
	var failed []error
	for _, r := range results {
		if r.Err != nil {
			failed = append(failed, r.Err)
		}
	}
	if len(failed) > 0 {
		return results, fmt.Errorf("%d of %d hosts failed to evaluate: %w", len(failed), len(hosts), errors.Join(failed...))
	}
	return results, nil
}
