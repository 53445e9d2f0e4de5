package update

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/piddir"
)

// Options configure Preview and Apply.
type Options struct {
	// Inputs are the inputs to update (names as in flake.lock, "agenix/systems" for an input's
	// input); empty updates every input.
	Inputs []string
	// NixSettings go with every nix call; default nix.Real().
	NixSettings *nix.Settings
	// ProbeTimeout bounds the ssh round trips that read each host's running system; default 30s.
	ProbeTimeout time.Duration
	// Log receives one line per step; nil discards them.
	Log io.Writer
}

func (o *Options) settings() nix.Settings {
	if o.NixSettings != nil {
		return *o.NixSettings
	}
	return nix.Real()
}

func (o *Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, "update: "+format+"\n", args...)
	}
}

// HostPreview is what the new lock changes on one host.
type HostPreview struct {
	deploy.HostPlan
	// NewWarnings are the NixOS evaluation warnings the host has with the new lock and did not
	// have with the old one.
	NewWarnings []string
}

// Result is a Preview (or an Apply, which also names its commit).
type Result struct {
	Repo    string        // the repository's top directory
	Base    string        // the commit the update starts from (HEAD)
	Inputs  []InputChange // empty: the lock is already up to date
	Hosts   []HostPreview
	OldLock *Lock // nil when the flake had no lock
	NewLock *Lock
	// OldWarningsUnknown is set when the old lock's systems could not be evaluated, so every
	// warning counts as new.
	OldWarningsUnknown string
	// Branch and Commit are what Apply created.
	Branch, Commit string
}

// upToDate reports whether updating changed nothing in the lock.
func (r *Result) upToDate() bool { return len(r.Inputs) == 0 }

// Preview updates the flake's lock in a scratch worktree of HEAD, evaluates and builds the
// hosts' systems from it once (internal/deploy), and compares each with what the host runs. The
// user's working tree, index and branch are never touched; the worktree is removed however
// Preview ends, a cancelled context included.
func Preview(ctx context.Context, e *command.Executor, fleet *inventory.Fleet, hosts []*inventory.Host, opts Options) (*Result, error) {
	return run(ctx, e, fleet, hosts, opts, nil)
}

// run is Preview, then finish (Apply's commit) while the scratch worktree still exists.
func run(ctx context.Context, e *command.Executor, fleet *inventory.Fleet, hosts []*inventory.Host, opts Options,
	finish func(ctx context.Context, s *scratch, r *Result) error) (_ *Result, err error) {
	if e.DryRun {
		return nil, errNoDryRun
	}
	flakeDir, err := FlakeDir(fleet.Flake)
	if err != nil {
		return nil, err
	}
	if opts.ProbeTimeout == 0 {
		opts.ProbeTimeout = 30 * time.Second
	}
	settings := opts.settings()
	step := "creating the scratch worktree"
	defer func() {
		// A cancelled command fails in its own words (timed out, killed): say what happened.
		if err != nil && ctx.Err() != nil {
			err = fmt.Errorf("update interrupted while %s: nothing was committed and the repository is as it was: %w", step, ctx.Err())
		}
	}()
	s, err := newScratch(ctx, e.Local(), flakeDir)
	if err != nil {
		return nil, err
	}
	defer func() {
		// Cleanup runs even after a Ctrl-C: a cancelled context would stop git before it
		// removed the worktree.
		if cerr := s.remove(context.WithoutCancel(ctx)); cerr != nil && err == nil {
			err = cerr
		}
	}()
	opts.logf("scratch worktree of %s at %s", shortRev(s.base), s.tree)
	r := &Result{Repo: s.top, Base: s.base}
	lockFile := filepath.Join(s.flake, "flake.lock")
	if r.OldLock, err = readLock(lockFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, in := range opts.Inputs {
		if r.OldLock == nil {
			return nil, fmt.Errorf("%s has no flake.lock yet, so there is no input %s to update alone: leave out the inputs to lock them all", s.rel(), in)
		}
		if _, ok := r.OldLock.Input(in); !ok {
			return nil, fmt.Errorf("%s/flake.lock has no input %q (inputs: %s)", s.rel(), in, strings.Join(inputNames(r.OldLock), ", "))
		}
	}
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = h.Name
	}
	local := nix.On(e.Local(), settings)

	// The old lock's warnings, so that only the new ones are shown. Without a lock there is
	// nothing old to compare with (evaluating would lock it, making old and new the same).
	var old map[string]deploy.System
	if r.OldLock != nil {
		step = "evaluating the old lock"
		opts.logf("evaluate %d hosts with the old lock (for its warnings)", len(names))
		// --no-write-lock-file: a lock behind flake.nix stays the old lock for this evaluation.
		if old, err = deploy.Evaluate(ctx, e.Local(), s.flakeRef(), names, settings, "--no-write-lock-file"); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			r.OldWarningsUnknown = "the old lock does not evaluate: " + oneLine(err)
		}
	}

	step = "updating the lock"
	opts.logf("update the lock: %s", updateWhat(opts.Inputs))
	lock := local.Cmd("nix", []string{"flake", "lock"})
	if len(opts.Inputs) == 0 {
		lock.Args = append(lock.Args, "--recreate-lock-file")
	}
	for _, in := range opts.Inputs {
		lock.Args = append(lock.Args, "--update-input", in)
	}
	lock.Args, lock.Env = append(lock.Args, s.flakeRef()), settings.Env()
	if _, err := local.Run(ctx, lock); err != nil {
		return nil, fmt.Errorf("update the lock of %s: %w", s.rel(), err)
	}
	// nix adds a new flake.lock to the index itself, but not every version does: without it a
	// first lock would be invisible to the git flake.
	if _, err := gitOut(ctx, e.Local(), s.tree, "add", "--", filepath.Join(s.sub, "flake.lock")); err != nil {
		return nil, fmt.Errorf("scratch worktree: %w", err)
	}
	if r.NewLock, err = readLock(lockFile); err != nil {
		return nil, fmt.Errorf("read the new lock: %w", err)
	}
	r.Inputs = diffLocks(r.OldLock, r.NewLock)
	for _, c := range r.Inputs {
		opts.logf("input %s", c)
	}
	if r.upToDate() {
		opts.logf("the lock is up to date: nothing to build")
		return r, nil
	}

	step = "evaluating the new lock"
	opts.logf("evaluate %d hosts with the new lock", len(names))
	systems, err := deploy.Evaluate(ctx, e.Local(), s.flakeRef(), names, settings)
	if err != nil {
		return nil, fmt.Errorf("the new lock does not evaluate (%s): nothing was built, committed or deployed: %w", inputList(r.Inputs), err)
	}
	step = "building and comparing the systems"
	opts.logf("build %d systems and compare them with the running ones", len(names))
	plans, err := deploy.PlanSystems(ctx, e, hosts, systems, settings, opts.ProbeTimeout)
	if err != nil {
		return nil, fmt.Errorf("the new lock does not build (%s): nothing was committed or deployed: %w", inputList(r.Inputs), err)
	}
	for _, p := range plans {
		hp := HostPreview{HostPlan: p}
		var before []string
		if o, ok := old[p.Host]; ok {
			before = o.Warnings
		}
		for _, w := range systems[p.Host].Warnings {
			if !slices.Contains(before, w) {
				hp.NewWarnings = append(hp.NewWarnings, w)
			}
		}
		r.Hosts = append(r.Hosts, hp)
	}
	if finish != nil {
		step = "committing"
		if err := finish(ctx, s, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// errNoDryRun: a preview must run nix and git to say anything, and it changes nothing, so it
// is itself the dry run of apply and deploy.
var errNoDryRun = errors.New("the update workflow has no dry run (HUB_DRY_RUN, -dry): update:preview changes nothing and is the dry run of update:apply and update:deploy")

func inputNames(l *Lock) []string {
	var out []string
	for _, in := range l.Inputs {
		out = append(out, in.Name)
	}
	return out
}

func updateWhat(inputs []string) string {
	if len(inputs) == 0 {
		return "every input"
	}
	return strings.Join(inputs, ", ")
}

func inputList(cs []InputChange) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name+" "+c.From+" -> "+c.To)
	}
	return strings.Join(out, ", ")
}

// scratch is a detached worktree of the repository's HEAD in a temporary directory.
type scratch struct {
	local *command.Host
	top   string // the user's repository
	base  string // HEAD's commit
	dir   string // the temporary directory
	tree  string // the worktree in it
	admin string // the worktree's entry in the repository (.git/worktrees/<name>)
	sub   string // the flake's directory relative to the repository's top ("" at the top)
	flake string // the flake's directory in the worktree
}

func newScratch(ctx context.Context, local *command.Host, flakeDir string) (*scratch, error) {
	return newScratchAt(ctx, local, flakeDir, "HEAD")
}

// newScratchAt is a detached worktree of rev.
func newScratchAt(ctx context.Context, local *command.Host, flakeDir, rev string) (*scratch, error) {
	real, err := filepath.EvalSymlinks(flakeDir)
	if err != nil {
		return nil, fmt.Errorf("flake %s: %w", flakeDir, err)
	}
	top, err := gitOut(ctx, local, real, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("flake %s is not in a git repository (the update workflow commits the lock): %w", flakeDir, err)
	}
	base, err := gitOut(ctx, local, top, "rev-parse", "--verify", rev+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("%s has no commit %s: commit the flake first: %w", top, rev, err)
	}
	sub, err := filepath.Rel(top, real)
	if err != nil || strings.HasPrefix(sub, "..") {
		return nil, fmt.Errorf("flake %s is outside its repository %s", flakeDir, top)
	}
	if sub == "." {
		sub = ""
	}
	common, err := gitOut(ctx, local, top, "rev-parse", "--path-format=absolute", "--git-common-dir")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", top, err)
	}
	// The scratch directory carries this run's pid, so the next run removes the checkout of
	// one that was killed outright (SIGKILL, a closed terminal) before its own cleanup.
	piddir.Sweep(os.TempDir(), scratchPrefix, nil)
	dir, err := piddir.Make(os.TempDir(), scratchPrefix)
	if err != nil {
		return nil, err
	}
	// The worktree is named after its unique directory, so its administrative directory in
	// the repository (.git/worktrees/<name>) is known even when git worktree add never finished.
	name := filepath.Base(dir)
	s := &scratch{local: local, top: top, base: base, dir: dir, tree: filepath.Join(dir, name), sub: sub,
		admin: filepath.Join(common, "worktrees", name)}
	s.flake = filepath.Join(s.tree, sub)
	sweepScratch(filepath.Join(common, "worktrees"))
	_, _ = gitOut(ctx, local, top, "worktree", "prune")
	if _, err := gitOut(ctx, local, top, "worktree", "add", "--detach", "--quiet", s.tree, base); err != nil {
		// An add killed halfway leaves its entry locked ("initializing"), which git worktree
		// prune never removes.
		os.RemoveAll(s.admin)
		os.RemoveAll(dir)
		return nil, fmt.Errorf("scratch worktree of %s: %w", top, err)
	}
	return s, nil
}

// scratchPrefix names the scratch directories and worktrees: <prefix><pid>-<random> (internal/piddir).
const scratchPrefix = "hub-update-"

// sweepScratch removes the entries of scratch worktrees whose directory is gone: left by a run
// that was killed outright, possibly locked by an unfinished git worktree add, which git
// worktree prune leaves alone. An entry without a gitdir file may be another run's add in
// progress, so it goes only when its run's pid is gone (or, named without one, after a minute).
func sweepScratch(worktrees string) {
	entries, _ := filepath.Glob(filepath.Join(worktrees, scratchPrefix+"*"))
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(e, "gitdir"))
		if err != nil {
			pid, named := piddir.Owner(filepath.Base(e), scratchPrefix)
			st, serr := os.Stat(e)
			if (named && !piddir.Alive(pid)) || (!named && serr == nil && time.Since(st.ModTime()) > time.Minute) {
				os.RemoveAll(e)
			}
			continue
		}
		if _, err := os.Stat(filepath.Dir(strings.TrimSpace(string(b)))); errors.Is(err, os.ErrNotExist) {
			os.RemoveAll(e)
		}
	}
}

// flakeRef is the worktree's flake as nix is to read it: the directory of a git repository, so
// nix copies only tracked files, as for a deploy from the repository (the new lock is added to
// the worktree's index first).
func (s *scratch) flakeRef() string { return s.flake }

// rel names the flake for messages.
func (s *scratch) rel() string { return filepath.Join(s.top, s.sub) }

func (s *scratch) remove(ctx context.Context) error {
	_, err := gitOut(ctx, s.local, s.top, "worktree", "remove", "--force", "--force", s.tree)
	os.RemoveAll(s.dir)
	os.RemoveAll(s.admin)
	_, _ = gitOut(ctx, s.local, s.top, "worktree", "prune")
	if err != nil {
		return fmt.Errorf("remove the scratch worktree %s: %w (run `git worktree prune` in %s)", s.tree, err, s.top)
	}
	return nil
}

func gitOut(ctx context.Context, local *command.Host, dir string, args ...string) (string, error) {
	res, err := local.Run(ctx, command.Cmd{Args: append([]string{"git", "-C", dir}, args...), Env: gitEnv()})
	return strings.TrimSpace(string(res.Stdout)), err
}
