package update

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/durablefile/durabletest"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/parallel"
	"github.com/nixos-hub/hub/internal/syncbuffer"
)

// Stand-in releases for the production flow.
const (
	standinLocksOut = `{ variant = { sshd = "deny"; }; warnings = [ ]; }` // sshd accepts no login: the canary must roll back
	standinKernel   = `{ variant = { kernel = "6.6.2"; }; warnings = [ ]; }`
	standinSlow     = `{ variant = { kernel = "6.6.3"; activationDelaySeconds = 4; }; warnings = [ ]; }`
)

// TestDeployFlow runs update:deploy's flow on a local fleet of two hosts with p620 as the
// canary, against a hub repository with a bare repository as its remote: a release that locks
// ssh out stops at the canary (rolled back, nothing merged), one that does not evaluate deploys
// nothing, and a good one whose second host fails once is merged and pushed on the second run.
func TestDeployFlow(t *testing.T) {
	env := newUpdateEnv(t, "p620", "p510")
	remote := filepath.Join(t.TempDir(), "remote.git")
	env.hub.git("init", "-q", "--bare", remote)
	env.hub.git("remote", "add", "origin", remote)
	env.hub.git("push", "-q", "-u", "origin", "main")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := &command.Executor{}
	defer e.Close()
	start := env.hub.git("rev-parse", "main")
	old := map[string]string{"p620": env.running(t, "p620"), "p510": env.running(t, "p510")}
	remoteMain := func() string { return env.hub.git("--git-dir", remote, "rev-parse", "main") }

	flow := func(branch string, log *bytes.Buffer) (*FlowResult, error) {
		return Deploy(ctx, e, env.inv, env.hosts, flowOptions(t, branch, log))
	}
	unchanged := func(t *testing.T, what string) {
		t.Helper()
		if got := env.hub.git("rev-parse", "main"); got != start {
			t.Errorf("%s: main moved to %s", what, got)
		}
		if got := remoteMain(); got != start {
			t.Errorf("%s: the remote's main moved to %s", what, got)
		}
		for h, sys := range old {
			if got := env.running(t, h); got != sys {
				t.Errorf("%s: %s runs %s, want its old system %s", what, h, got, sys)
			}
		}
	}

	t.Run("canary locked out", func(t *testing.T) {
		env.release(t, standinLocksOut)
		var log bytes.Buffer
		fr, err := flow("update/locks-out", &log)
		if err == nil || !strings.Contains(err.Error(), "update update/locks-out not merged") || !strings.Contains(err.Error(), "p620 failed in ") {
			t.Fatalf("flow: %v\n%s", err, log.String())
		}
		if fr.Deploy == nil || hostStatus(fr.Deploy.Report, "p510") != parallel.StatusNotRun {
			t.Errorf("p510 should not have been deployed after the canary failed:\n%s", log.String())
		}
		unchanged(t, "a release that locks ssh out")
		if got := env.hub.git("rev-parse", "update/locks-out"); got != fr.Commit {
			t.Errorf("the update branch is %s, want it kept at %s", got, fr.Commit)
		}
		if pr, err := os.ReadFile(filepath.Join(fr.Deploy.Report.RunDir, "pr.md")); err != nil || !strings.Contains(string(pr), "Failed (rolled back by the deploy):\n  - p620 failed") {
			t.Errorf("pr.md: %v\n%s", err, pr)
		}
		durabletest.NoTempFiles(t, fr.Deploy.Report.RunDir)
		env.hub.git("branch", "-D", "update/locks-out")
	})

	t.Run("release does not evaluate", func(t *testing.T) {
		env.release(t, standinBroken)
		var log bytes.Buffer
		if _, err := flow("update/broken", &log); err == nil || !strings.Contains(err.Error(), "does not evaluate") {
			t.Fatalf("flow: %v\n%s", err, log.String())
		}
		unchanged(t, "a release that does not evaluate")
		if branches := env.hub.git("branch", "--list", "update/*"); branches != "" {
			t.Errorf("branches left: %s", branches)
		}
	})

	t.Run("resumed after a failure", func(t *testing.T) {
		env.release(t, standinKernel)
		if err := env.lf.FailNextActivation("p510"); err != nil {
			t.Fatal(err)
		}
		var log bytes.Buffer
		fr, err := flow("update/kernel", &log)
		if err == nil || !strings.Contains(err.Error(), "p510 failed in activate") {
			t.Fatalf("first run: %v\n%s", err, log.String())
		}
		if got := env.hub.git("rev-parse", "main"); got != start {
			t.Errorf("main moved to %s after a failed run", got)
		}
		if env.running(t, "p510") != old["p510"] || env.running(t, "p620") == old["p620"] {
			t.Errorf("after the first run p620 should run the new system and p510 its old one:\n%s", log.String())
		}
		log.Reset()
		fr2, err := flow("update/kernel", &log)
		if err != nil {
			t.Fatalf("second run: %v\n%s", err, log.String())
		}
		if !fr2.Resumed || fr2.Commit != fr.Commit || !fr2.Merged || fr2.Pushed != "origin" {
			t.Errorf("second run: resumed %v at %s (want %s), merged %v, pushed %q", fr2.Resumed, fr2.Commit, fr.Commit, fr2.Merged, fr2.Pushed)
		}
		if !strings.Contains(fr2.Description, "flake.lock: update standin") || !strings.Contains(fr2.Description, "(resumed: branch update/kernel") {
			t.Errorf("the resumed run's description lacks the commit message:\n%s", fr2.Description)
		}
		if s := hostStatus(fr2.Deploy.Report, "p620"); s != parallel.StatusSkipped {
			t.Errorf("p620 was %s on the second run, want skipped (already on the new system)", s)
		}
		if s := hostStatus(fr2.Deploy.Report, "p510"); s != parallel.StatusOK {
			t.Errorf("p510 was %s on the second run, want ok", s)
		}
		if got := env.hub.git("rev-parse", "main"); got != fr.Commit {
			t.Errorf("main is %s, want fast-forwarded to %s", got, fr.Commit)
		}
		if got := remoteMain(); got != fr.Commit {
			t.Errorf("the remote's main is %s, want %s", got, fr.Commit)
		}
		if st := env.hub.git("--no-optional-locks", "status", "--porcelain"); st != "" {
			t.Errorf("the tree is not clean after the merge: %s", st)
		}
		for _, h := range []string{"p620", "p510"} {
			if got := env.running(t, h); !strings.Contains(got, "nixos-system-"+h) || got == old[h] {
				t.Errorf("%s runs %s, want its new system", h, got)
			}
		}
		if _, err := flow("update/kernel", &log); err == nil || !strings.Contains(err.Error(), "is main already (merged)") {
			t.Errorf("a third run: %v", err)
		}
	})

	t.Run("interrupted during the activation", func(t *testing.T) {
		// A Ctrl-C while the canary activates: the deploy rolls it back (or it was already
		// committed), main does not move, and the branch stays for a resume.
		main := env.hub.git("rev-parse", "main")
		before := map[string]string{"p620": env.running(t, "p620"), "p510": env.running(t, "p510")}
		env.release(t, standinSlow)
		ictx, icancel := context.WithCancel(ctx)
		defer icancel()
		var log syncbuffer.Buffer
		go func() {
			// Cancel 1.5 s into the canary's 4 s activation.
			for !strings.Contains(log.String(), "p620 : phase activate") {
				time.Sleep(50 * time.Millisecond)
				if ictx.Err() != nil {
					return
				}
			}
			time.Sleep(1500 * time.Millisecond)
			icancel()
		}()
		fr, err := Deploy(ictx, e, env.inv, env.hosts, flowOptions(t, "update/slow", &log))
		if err == nil || !strings.Contains(err.Error(), "update update/slow not merged") {
			t.Fatalf("flow: %v\n%s", err, log.String())
		}
		if got := env.hub.git("rev-parse", "main"); got != main {
			t.Errorf("main moved to %s after an interrupted deploy", got)
		}
		if fr == nil || env.hub.git("rev-parse", "update/slow") != fr.Commit {
			t.Errorf("the branch was not kept for a resume")
		}
		if got := env.consistent(t, "p620"); got != before["p620"] {
			t.Errorf("p620 runs %s after a Ctrl-C during its activation, want its previous system back:\n%s", got, log.String())
		}
		if got := env.consistent(t, "p510"); got != before["p510"] {
			t.Errorf("p510 runs %s, want it untouched", got)
		}
		if st := env.hub.git("--no-optional-locks", "status", "--porcelain"); st != "" {
			t.Errorf("the tree changed: %s", st)
		}
	})
}

// flowOptions are the production flow's options for the test fleet: p620 the canary, then one
// host per batch, the deploy's logs in a run directory of the test.
func flowOptions(t *testing.T, branch string, log io.Writer) DeployOptions {
	local := nix.Local()
	return DeployOptions{
		ApplyOptions: ApplyOptions{Options: Options{NixSettings: &local, ProbeTimeout: 20 * time.Second, Log: log}, Branch: branch},
		Deploy: deploy.Options{
			Canary: "p620", Batch: 1, KeepGoing: true, Out: log, Progress: parallel.ProgressPlain, RunDir: t.TempDir(),
			ConfirmTimeout: 5 * time.Second, ProbeTimeout: 10 * time.Second, CopyBackoff: 200 * time.Millisecond,
			HealthPause: 200 * time.Millisecond, Nix: local,
		},
	}
}

// consistent requires that host's profile (what it boots) is the system it runs, and returns it.
func (env *updateEnv) consistent(t *testing.T, host string) string {
	t.Helper()
	h, err := env.lf.Host(host)
	if err != nil {
		t.Fatal(err)
	}
	profiles := filepath.Join(h.Dir, "nix", "var", "nix", "profiles")
	gen, _ := os.Readlink(filepath.Join(profiles, "system"))
	target, _ := os.Readlink(filepath.Join(profiles, gen))
	if run := env.running(t, host); run != target || run == "" {
		t.Errorf("%s runs %s but boots %s (%s)", host, run, target, gen)
	}
	return target
}

func hostStatus(r *parallel.Report, host string) parallel.Status {
	for _, h := range r.Hosts {
		if h.Host == host {
			return h.Status
		}
	}
	return ""
}
