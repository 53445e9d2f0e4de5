package features

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

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

// Evaluator evaluates the toplevel of every host of the flake at Root, one host per nix eval
// (internal/nix Toplevels with chunks of one), so each host's error is its own.
type Evaluator struct {
	Root         string
	Parallel     int           // hosts evaluated at once; values below 1 mean 1
	ProbeTimeout time.Duration // how long fetching the inputs may take before they count as unreachable
	// Local is where nix runs; nil means this machine (a plain executor).
	Local *command.Host
	// Offline runs every nix call in a network namespace of its own (unshare --net), so the
	// evaluation uses what this machine's store already has and cannot send a packet: what a
	// test suite needs. It needs root.
	Offline bool
}

// EvalHosts first resolves the flake's inputs within ProbeTimeout (nix flake archive fetches them into the store, without
// writing a lock file); when that fails it returns an *UnreachableError and no results. Otherwise
// it evaluates every host's toplevel, Parallel at a time, and returns one result per host in the
// given order; the error is non-nil if any host failed.
func (e Evaluator) EvalHosts(ctx context.Context, hosts []string) ([]EvalResult, error) {
	if err := CheckLock(e.Root); err != nil {
		return nil, err
	}
	root, err := filepath.Abs(e.Root)
	if err != nil {
		return nil, err
	}
	local := e.Local
	if local == nil {
		local = (&command.Executor{}).Local()
	}
	n := nix.Nix{Host: local, Settings: nix.Real(), Offline: e.Offline}
	probeCtx, cancel := context.WithTimeout(ctx, e.ProbeTimeout)
	_, err = n.Run(probeCtx, n.Cmd("nix", []string{"flake", "archive"}, "--json", "--no-write-lock-file", root))
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &UnreachableError{Reason: err}
	}
	// The flake is the directory as nix reads "." there: a git repository's tracked files.
	evals, err := n.EvalToplevels(ctx, root, hosts, nix.EvalOptions{Chunk: 1, Parallel: e.Parallel, Extra: []string{"--no-write-lock-file"}})
	if err != nil {
		return nil, err
	}
	results := make([]EvalResult, len(evals))
	var failed []error
	for i, ev := range evals {
		results[i] = EvalResult{Host: ev.Host, DrvPath: ev.System.Drv, Duration: ev.Duration, Err: ev.Err}
		if ev.Err != nil {
			failed = append(failed, ev.Err)
		}
	}
	if len(failed) > 0 {
		return results, fmt.Errorf("%d of %d hosts failed to evaluate: %w", len(failed), len(hosts), errors.Join(failed...))
	}
	return results, nil
}
