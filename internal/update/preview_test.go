package update

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/nix"
)

// needFleet skips a test that starts a local fleet under -short or where one cannot run.
func needFleet(t *testing.T) {
	t.Helper()
	fleettest.Need(t, "git")
}

// hubFlake is the test's stand-in for the hub's flake: its systems are the local fleet's
// (builtins only), and what they contain comes from a stand-in input repository, as the
// hub's come from nixpkgs. standin's default.nix gives the variant (kernel, sshd) and the
// configuration's NixOS warnings.
func hubFlake(fleetDir, standinURL string) string {
	return `{
  inputs = {
    fleet = { url = "path:` + fleetDir + `"; flake = false; };
    standin = { url = "git+` + standinURL + `"; flake = false; };
  };
  outputs = { self, fleet, standin }:
    let
      params = builtins.fromJSON (builtins.readFile (fleet + "/params.json"));
      variants = builtins.fromJSON (builtins.readFile (fleet + "/variants.json"));
      pkgs = import (standin + "/default.nix");
    in {
      nixosConfigurations = builtins.mapAttrs (name: host:
        let c = import (fleet + "/system.nix") { inherit name host; state = params.state; variant = variants.${name} // pkgs.variant; };
        in c // { config = c.config // { warnings = pkgs.warnings; }; })
        params.hosts;
    };
}
`
}

// Releases of the stand-in input.
const (
	standinV1     = `{ variant = { }; warnings = [ "old warning, there before the update" ]; }`
	standinV2     = `{ variant = { kernel = "6.6.1"; }; warnings = [ "old warning, there before the update" "services.foo.bar was renamed to services.foo.baz" ]; }`
	standinBroken = `{ variant = throw "stand-in release 3 does not evaluate"; warnings = [ ]; }`
)

// updateEnv is a local fleet, a stand-in input repository and a hub repository whose flake
// locks it.
type updateEnv struct {
	lf      *localfleet.Fleet
	inv     *inventory.Fleet
	hosts   []*inventory.Host
	standin *gitRepo
	hub     *gitRepo
	revs    []string // the stand-in's commits
}

func newUpdateEnv(t *testing.T, hosts ...string) *updateEnv {
	t.Helper()
	needFleet(t)
	offlineNix(t)
	lf := fleettest.Start(t, localfleet.Config{Hosts: hosts}, "git")
	base := t.TempDir()
	env := &updateEnv{lf: lf, standin: newRepo(t, filepath.Join(base, "standin")), hub: newRepo(t, filepath.Join(base, "hub"))}
	env.revs = append(env.revs, env.standin.commit(time.Time{}, "release 1", map[string]string{"default.nix": standinV1}))
	env.hub.commit(time.Time{}, "flake", map[string]string{"flake.nix": hubFlake(lf.FlakeDir(), env.standin.url())})
	runNix(t, env.hub.dir, "flake", "lock")
	env.hub.commit(time.Time{}, "lock", nil)
	env.inv = fleettest.Inventory(t, lf)
	var err error
	env.inv.Flake = env.hub.dir // the fleet is deployed from the hub repository, as in production
	if env.hosts, err = env.inv.Select("*"); err != nil {
		t.Fatal(err)
	}
	return env
}

func (env *updateEnv) release(t *testing.T, content string) {
	t.Helper()
	env.revs = append(env.revs, env.standin.commit(time.Time{}, fmt.Sprintf("release %d", len(env.revs)+1), map[string]string{"default.nix": content}))
}

func (env *updateEnv) opts(log *bytes.Buffer, inputs ...string) Options {
	local := nix.Local()
	return Options{Inputs: inputs, NixSettings: &local, ProbeTimeout: 20 * time.Second, Log: log}
}

// repoState is everything of the user's repository that preview must leave alone and apply may
// only add a branch to.
type repoState struct {
	head, branch, status, index, lock, worktrees string
	branches                                     []string
}

func (env *updateEnv) state(t *testing.T) repoState {
	t.Helper()
	sum := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			return "absent"
		}
		return fmt.Sprintf("%x", sha256.Sum256(b))
	}
	h := env.hub
	return repoState{
		head: h.git("rev-parse", "HEAD"), branch: h.git("symbolic-ref", "HEAD"),
		// --no-optional-locks: the test's own git status must not refresh the index it checks.
		status: h.git("--no-optional-locks", "status", "--porcelain", "--untracked-files=all", "--ignored"),
		index:  sum(filepath.Join(h.dir, ".git", "index")), lock: sum(filepath.Join(h.dir, "flake.lock")),
		worktrees: h.git("worktree", "list", "--porcelain"),
		branches:  strings.Fields(h.git("for-each-ref", "--format=%(refname:short)", "refs/heads")),
	}
}

func (s repoState) sameTree(t *testing.T, what string, other repoState) {
	t.Helper()
	if s.head != other.head || s.branch != other.branch || s.status != other.status || s.index != other.index || s.lock != other.lock || s.worktrees != other.worktrees {
		t.Errorf("%s changed the user's repository:\nbefore %+v\nafter  %+v", what, s, other)
	}
}

// running is the system the host runs: its /run/current-system.
func (env *updateEnv) running(t *testing.T, host string) string {
	t.Helper()
	h, err := env.lf.Host(host)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := os.Readlink(filepath.Join(h.RunDir(), "current-system"))
	return s
}

func change(p HostPreview, name string) (deploy.Change, bool) {
	for _, c := range p.Changes {
		if c.Name == name {
			return c, true
		}
	}
	return deploy.Change{}, false
}

// TestPreviewAndApply runs the update workflow against a local fleet with a stand-in input
// whose new release changes the kernel of the demo systems and adds a NixOS warning, then one
// that does not evaluate.
func TestPreviewAndApply(t *testing.T) {
	env := newUpdateEnv(t, "p620", "p510")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	e := &command.Executor{}
	defer e.Close()
	before := env.state(t)
	env.release(t, standinV2)

	var log bytes.Buffer
	t.Run("preview", func(t *testing.T) {
		r, err := Preview(ctx, e, env.inv, env.hosts, env.opts(&log))
		if err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
		if len(r.Inputs) != 1 || r.Inputs[0].Name != "standin" || r.Inputs[0].From != shortRev(env.revs[0]) || r.Inputs[0].To != shortRev(env.revs[1]) {
			t.Errorf("inputs %+v, want standin %s -> %s", r.Inputs, shortRev(env.revs[0]), shortRev(env.revs[1]))
		}
		if len(r.Hosts) != 2 {
			t.Fatalf("%d hosts", len(r.Hosts))
		}
		for _, h := range r.Hosts {
			if h.Err != nil {
				t.Errorf("%s: %v", h.Host, h.Err)
				continue
			}
			// linux-6.6.0-modules is "linux" at version "6.6.0-modules", as Nix splits names.
			if c, ok := change(h, "linux"); !ok || c.Kind() != "upgraded" || !slices.Contains(c.From, "6.6.0") || !slices.Contains(c.To, "6.6.1") {
				t.Errorf("%s: linux change %+v, want upgraded 6.6.0 -> 6.6.1 (changes %+v)", h.Host, c, h.Changes)
			}
			if !slices.Contains(h.RebootParts, "kernel") || h.NewSize <= 0 || h.RunningSize <= 0 || h.AlreadyThere {
				t.Errorf("%s: reboot %v, closure %d -> %d, unchanged %v", h.Host, h.RebootParts, h.RunningSize, h.NewSize, h.AlreadyThere)
			}
			if !slices.Equal(h.NewWarnings, []string{"services.foo.bar was renamed to services.foo.baz"}) {
				t.Errorf("%s: new warnings %q, want only the one the update added", h.Host, h.NewWarnings)
			}
			if run := env.running(t, h.Host); run == "" || run != h.Running {
				t.Errorf("%s: runs %q, preview compared with %s", h.Host, run, h.Running)
			}
		}
		var out bytes.Buffer
		if err := WritePreview(&out, r); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"standin: " + shortRev(env.revs[0]), "~ linux", "6.6.0 -> 6.6.1", "p510: new warning: services.foo.bar"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("preview output lacks %q:\n%s", want, out.String())
			}
		}
		env.state(t).sameTree(t, "preview", before)
	})

	t.Run("one input", func(t *testing.T) {
		// The fleet input did not change: updating it alone leaves the lock as it is.
		r, err := Preview(ctx, e, env.inv, env.hosts, env.opts(&log, "fleet"))
		if err != nil || !r.upToDate() || len(r.Hosts) != 0 {
			t.Errorf("preview of fleet alone: %v, %+v", err, r)
		}
		if _, err := Preview(ctx, e, env.inv, env.hosts, env.opts(&log, "nixpkgs")); err == nil || !strings.Contains(err.Error(), `no input "nixpkgs" (inputs: fleet, standin)`) {
			t.Errorf("preview of an unknown input: %v", err)
		}
		env.state(t).sameTree(t, "preview of one input", before)
	})

	t.Run("apply refuses a dirty tree", func(t *testing.T) {
		flake := filepath.Join(env.hub.dir, "flake.nix")
		orig, _ := os.ReadFile(flake)
		if err := os.WriteFile(flake, append(orig, []byte("# local edit\n")...), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Apply(ctx, e, env.inv, env.hosts, ApplyOptions{Options: env.opts(&log)})
		if err == nil || !strings.Contains(err.Error(), "uncommitted changes (M flake.nix") {
			t.Errorf("apply on a dirty tree: %v", err)
		}
		if err := os.WriteFile(flake, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		if s := env.state(t); !slices.Equal(s.branches, []string{"main"}) {
			t.Errorf("branches %v after a refused apply", s.branches)
		}
	})

	day := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	t.Run("apply", func(t *testing.T) {
		r, err := Apply(ctx, e, env.inv, env.hosts, ApplyOptions{Options: env.opts(&log), Now: func() time.Time { return day }})
		if err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
		h := env.hub
		if r.Branch != "update/2026-12-01" || h.git("rev-parse", r.Branch) != r.Commit {
			t.Fatalf("branch %s at %s, want update/2026-12-01 at the commit", r.Branch, r.Commit)
		}
		if parent := h.git("rev-parse", r.Commit+"^"); parent != before.head {
			t.Errorf("the commit's parent is %s, want HEAD %s", parent, before.head)
		}
		if files := h.git("diff", "--name-only", before.head, r.Commit); files != "flake.lock" {
			t.Errorf("the commit changes %q, want flake.lock only", files)
		}
		lock, err := parseLock([]byte(h.git("show", r.Commit+":flake.lock")))
		if err != nil {
			t.Fatal(err)
		}
		if in, _ := lock.Input("standin"); in.rev() != env.revs[1] {
			t.Errorf("the committed lock has standin at %s, want %s", in.rev(), env.revs[1])
		}
		msg := h.git("log", "-1", "--format=%B", r.Commit)
		for _, want := range []string{"flake.lock: update standin", "standin: " + shortRev(env.revs[0]), "-> " + shortRev(env.revs[1]),
			"p620: 0 added, 0 removed, ", "reboot needed (kernel", "~ linux", "6.6.0 -> 6.6.1", "new warning: services.foo.bar"} {
			if !strings.Contains(msg, want) {
				t.Errorf("commit message lacks %q:\n%s", want, msg)
			}
		}
		after := env.state(t)
		after.sameTree(t, "apply", before)
		if !slices.Equal(after.branches, []string{"main", "update/2026-12-01"}) {
			t.Errorf("branches %v", after.branches)
		}
		if _, err := Apply(ctx, e, env.inv, env.hosts, ApplyOptions{Options: env.opts(&log), Now: func() time.Time { return day }}); err == nil ||
			!strings.Contains(err.Error(), "branch update/2026-12-01 exists already") {
			t.Errorf("a second apply the same day: %v", err)
		}
	})

	t.Run("first lock", func(t *testing.T) {
		// The hub's own repository commits no flake.lock yet: the first apply writes it.
		fresh := newRepo(t, filepath.Join(t.TempDir(), "hub"))
		fresh.commit(time.Time{}, "flake", map[string]string{"flake.nix": hubFlake(env.lf.FlakeDir(), env.standin.url())})
		inv := *env.inv
		inv.Flake = fresh.dir
		r, err := Apply(ctx, e, &inv, env.hosts, ApplyOptions{Options: env.opts(&log)})
		if err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
		if len(r.Inputs) != 2 || r.Inputs[0].Kind() != "added" || r.Inputs[1].Name != "standin" || r.Inputs[1].To != shortRev(env.revs[1]) {
			t.Errorf("inputs %+v, want fleet and standin added", r.Inputs)
		}
		if got := r.Hosts[0].NewWarnings; len(got) != 2 {
			t.Errorf("new warnings %q: without an old lock every warning is new", got)
		}
		if files := fresh.git("diff", "--name-status", "HEAD", r.Commit); files != "A\tflake.lock" {
			t.Errorf("the first update commit changes %q, want flake.lock added", files)
		}
		if _, err := os.Stat(filepath.Join(fresh.dir, "flake.lock")); !os.IsNotExist(err) {
			t.Errorf("the user's tree got a flake.lock: %v", err)
		}
	})

	t.Run("a release that does not evaluate", func(t *testing.T) {
		env.release(t, standinBroken)
		start := env.state(t)
		_, err := Preview(ctx, e, env.inv, env.hosts, env.opts(&log))
		if err == nil || !strings.Contains(err.Error(), "the new lock does not evaluate (standin ") || !strings.Contains(err.Error(), "stand-in release 3 does not evaluate") {
			t.Errorf("preview: %v", err)
		}
		_, err = Apply(ctx, e, env.inv, env.hosts, ApplyOptions{Options: env.opts(&log), Branch: "update/broken"})
		if err == nil || !strings.Contains(err.Error(), "nothing was built, committed or deployed") {
			t.Errorf("apply: %v", err)
		}
		end := env.state(t)
		end.sameTree(t, "a failed apply", start)
		if !slices.Equal(end.branches, start.branches) {
			t.Errorf("branches %v after a failed apply, want %v", end.branches, start.branches)
		}
	})
}

// TestApplyInterrupted cancels Apply at several points, as a Ctrl-C does: every time the user's
// repository is as it was, with no scratch worktree left, and the branch is either absent or
// complete.
func TestApplyInterrupted(t *testing.T) {
	env := newUpdateEnv(t, "p620")
	// The scratch worktrees go to a directory of this test alone, so that the check for
	// leftovers cannot see another test run's.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := &command.Executor{}
	defer e.Close()
	before := env.state(t)
	env.release(t, standinV2)
	var completed int
	for i, delay := range []time.Duration{5 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 70 * time.Millisecond, 150 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1500 * time.Millisecond, time.Minute} {
		branch := fmt.Sprintf("update/cancel-%d", i)
		ctx, cancel := context.WithTimeout(context.Background(), delay)
		var log bytes.Buffer
		r, err := Apply(ctx, e, env.inv, env.hosts, ApplyOptions{Options: env.opts(&log), Branch: branch})
		cancel()
		env.state(t).sameTree(t, fmt.Sprintf("apply cancelled after %v", delay), before)
		exists := exec.Command("git", "-C", env.hub.dir, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch).Run() == nil
		switch {
		case err == nil:
			completed++
			if !exists || env.hub.git("rev-parse", branch+"^") != before.head || env.hub.git("diff", "--name-only", before.head, r.Commit) != "flake.lock" {
				t.Errorf("after %v: apply succeeded but branch %s is not the complete commit", delay, branch)
			}
		case exists:
			t.Errorf("after %v: apply failed (%v) but left branch %s", delay, err, branch)
		case !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "signal: killed") && !strings.Contains(err.Error(), "killed by signal"):
			t.Errorf("after %v: %v, want a cancellation\n%s", delay, err, log.String())
		}
		if leftovers, _ := filepath.Glob(filepath.Join(tmp, "hub-update-*")); len(leftovers) > 0 {
			t.Errorf("after %v: scratch worktrees left: %v", delay, leftovers)
		}
	}
	if completed == 0 {
		t.Error("no apply completed, not even the one with a minute")
	}
}
