package update

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/durablefile"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/parallel"
)

// DeployOptions configure Deploy, the production flow.
type DeployOptions struct {
	ApplyOptions
	// Main is the branch the update starts from and is fast-forwarded to it on success;
	// default "main".
	Main string
	// Deploy is the rollout: canary, batches, health gates and magic rollback are internal/deploy's.
	// Its Out, RunDir and Progress are used for the deploy's progress and logs.
	Deploy deploy.Options
}

// FlowResult is what Deploy did.
type FlowResult struct {
	// Update is the apply's result; nil when an existing branch was resumed.
	Update  *Result
	Branch  string
	Commit  string
	Resumed bool
	// Message is a resumed branch's commit message.
	Message string
	Deploy  *deploy.Result
	// Merged is set when Main was fast-forwarded to the branch; Pushed names the remote it
	// was pushed to.
	Merged bool
	Pushed string
	// Description is the PR-ready description written to the deploy's run directory.
	Description string
}

// Deploy is the production flow: Apply (or, when the update branch exists and is not merged,
// resume it), deploy the branch's commit to the hosts through internal/deploy (canary, batches,
// health gates, magic rollback), then fast-forward Main to it and push Main when it has a
// remote. On any failure the failed hosts are already rolled back by the deploy and Main is
// left alone; the error names each failed host, its phase and why. Running Deploy again after
// a fix continues with the same branch: the hosts already on its systems are skipped by the
// deploy's eval phase.
func Deploy(ctx context.Context, e *command.Executor, fleet *inventory.Fleet, hosts []*inventory.Host, opts DeployOptions) (*FlowResult, error) {
	if e.DryRun {
		return nil, errNoDryRun
	}
	flakeDir, err := FlakeDir(fleet.Flake)
	if err != nil {
		return nil, err
	}
	if opts.Main == "" {
		opts.Main = "main"
	}
	local := e.Local()
	top, err := gitOut(ctx, local, flakeDir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("flake %s is not in a git repository: %w", flakeDir, err)
	}
	mainRev, err := gitOut(ctx, local, top, "rev-parse", "--verify", "refs/heads/"+opts.Main+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("%s has no branch %s: name the branch updates start from with -main", top, opts.Main)
	}
	if head, _ := gitOut(ctx, local, top, "rev-parse", "HEAD"); head != mainRev {
		return nil, fmt.Errorf("%s: HEAD is not %s's tip: the production update starts from %s (git switch %s)", top, opts.Main, opts.Main, opts.Main)
	}
	branch := opts.Branch
	if branch == "" {
		if opts.Now == nil {
			opts.Now = time.Now
		}
		branch = branchName(opts.Now())
	}
	fr := &FlowResult{Branch: branch}
	if rev, err := gitOut(ctx, local, top, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch+"^{commit}"); err == nil {
		// Resume: the branch of an earlier run that did not finish.
		switch {
		case rev == mainRev:
			return nil, fmt.Errorf("%s: branch %s is %s already (merged): start a new update with -branch NAME, or delete it", top, branch, opts.Main)
		case !isAncestor(ctx, local, top, mainRev, rev):
			return nil, fmt.Errorf("%s: %s moved since branch %s was made, so it cannot be fast-forwarded to it: rebase the branch onto %s, or delete it and update again", top, opts.Main, branch, opts.Main)
		}
		if dirty, _ := gitOut(ctx, local, top, "status", "--porcelain", "--untracked-files=no"); dirty != "" {
			return nil, fmt.Errorf("%s has uncommitted changes: commit or stash them first; update:deploy fast-forwards %s at the end", top, opts.Main)
		}
		fr.Commit, fr.Resumed = rev, true
		// The description of a resumed update is its commit's message, written by the apply.
		fr.Message, _ = gitOut(ctx, local, top, "log", "-1", "--format=%B", rev)
		opts.logf("resuming branch %s at %s: hosts already on its systems are skipped", branch, shortRev(rev))
	} else {
		opts.ApplyOptions.Branch = branch
		r, err := Apply(ctx, e, fleet, hosts, opts.ApplyOptions)
		if err != nil {
			return nil, err
		}
		if r.upToDate() {
			fr.Update = r
			return fr, nil
		}
		fr.Update, fr.Commit = r, r.Commit
	}

	// Deploy the branch's commit from a worktree of its own: the systems are those of the
	// committed lock (the commit is the flake's revision), and the user's tree is not read.
	s, err := newScratchAt(ctx, local, flakeDir, fr.Commit)
	if err != nil {
		return fr, err
	}
	defer func() { _ = s.remove(context.WithoutCancel(ctx)) }()
	at := *fleet
	at.Flake = s.flake
	dopts := opts.Deploy
	if dopts.Name == "" {
		dopts.Name = "update-deploy"
	}
	opts.logf("deploy %s (%s) to %d hosts", branch, shortRev(fr.Commit), len(hosts))
	res, err := deploy.Run(ctx, &at, e, hosts, dopts)
	fr.Deploy = res
	if res == nil {
		return fr, fmt.Errorf("deploy of %s: %w; %s is unchanged and branch %s kept", branch, err, opts.Main, branch)
	}
	failed, notRun := failures(res)
	fr.Description = describe(fr, failed, notRun)
	if res.Report.RunDir != "" {
		if werr := writeDescription(res.Report.RunDir, fr.Description); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	if err != nil || len(failed) > 0 || len(notRun) > 0 || ctx.Err() != nil {
		parts := failed
		if len(notRun) > 0 {
			parts = append(parts, "not deployed: "+strings.Join(notRun, ", "))
		}
		if err != nil {
			parts = append(parts, oneLine(err))
		}
		why := strings.Join(parts, "; ")
		if why == "" {
			why = "interrupted"
		}
		return fr, fmt.Errorf("update %s not merged (%s unchanged, branch kept): %s; fix it and run update:deploy again: hosts already on the new system are skipped", branch, opts.Main, why)
	}

	// Every host runs the branch's systems: fast-forward Main, in the user's tree when it is
	// checked out (clean, checked above), else as a ref update that fails if Main moved.
	if cur, _ := gitOut(ctx, local, top, "symbolic-ref", "--quiet", "HEAD"); cur == "refs/heads/"+opts.Main {
		_, err = gitOut(ctx, local, top, "merge", "--ff-only", "--quiet", fr.Commit)
	} else {
		_, err = gitOut(ctx, local, top, "update-ref", "refs/heads/"+opts.Main, fr.Commit, mainRev)
	}
	if err != nil {
		return fr, fmt.Errorf("every host runs %s, but fast-forwarding %s failed: %w; run `git merge --ff-only %s` on %s", branch, opts.Main, err, branch, opts.Main)
	}
	fr.Merged = true
	opts.logf("%s fast-forwarded to %s", opts.Main, shortRev(fr.Commit))
	if remote, _ := gitOut(ctx, local, top, "config", "--get", "branch."+opts.Main+".remote"); remote != "" {
		if _, err := gitOut(ctx, local, top, "push", "--quiet", remote, "refs/heads/"+opts.Main+":refs/heads/"+opts.Main); err != nil {
			return fr, fmt.Errorf("%s is merged locally, but pushing it to %s failed: %w; run `git push %s %s`", opts.Main, remote, err, remote, opts.Main)
		}
		fr.Pushed = remote
		opts.logf("pushed %s to %s", opts.Main, remote)
	}
	return fr, nil
}

// failures names each failed host with its phase and why ("p620 failed in confirm: ..."),
// then the hosts the rollout did not reach.
func failures(res *deploy.Result) (failed, notRun []string) {
	for _, rep := range []*parallel.Report{res.Report, res.Rollback} {
		if rep == nil {
			continue
		}
		for _, h := range rep.Hosts {
			if !h.Status.Failed() {
				continue
			}
			if h.Status == parallel.StatusNotRun {
				notRun = append(notRun, h.Host)
				continue
			}
			msg := h.Host + " " + string(h.Status)
			if h.FailedPhase != "" {
				msg += " in " + h.FailedPhase
			}
			if h.Err != nil {
				msg += ": " + oneLine(h.Err)
			}
			failed = append(failed, msg)
		}
	}
	return failed, notRun
}

// describe is the PR-ready description of the update: the commit's message, then how the
// rollout went, host by host.
func describe(fr *FlowResult, failed, notRun []string) string {
	var b strings.Builder
	if fr.Update != nil {
		b.WriteString(commitMessage(fr.Update))
	} else {
		fmt.Fprintf(&b, "%s\n\n(resumed: branch %s at %s)\n", strings.TrimSpace(fr.Message), fr.Branch, shortRev(fr.Commit))
	}
	b.WriteString("\nRollout:\n")
	if fr.Deploy != nil && fr.Deploy.Report != nil {
		var t strings.Builder
		_ = fr.Deploy.Report.WriteTable(&t)
		for _, l := range strings.Split(strings.TrimRight(t.String(), "\n"), "\n") {
			b.WriteString("    " + l + "\n")
		}
	}
	if fr.Deploy != nil && fr.Deploy.Stopped != "" {
		fmt.Fprintf(&b, "\n%s\n", fr.Deploy.Stopped)
	}
	if len(failed) > 0 {
		b.WriteString("\nFailed (rolled back by the deploy):\n")
		for _, f := range failed {
			fmt.Fprintf(&b, "  - %s\n", f)
		}
	}
	if len(notRun) > 0 {
		fmt.Fprintf(&b, "\nNot deployed (still on their old systems): %s\n", strings.Join(notRun, ", "))
	}
	return b.String()
}

func isAncestor(ctx context.Context, local *command.Host, top, a, b string) bool {
	_, err := gitOut(ctx, local, top, "merge-base", "--is-ancestor", a, b)
	return err == nil
}

// WriteFlowJSON writes the flow's outcome as one JSON document: the branch and what became of
// it, the update (as WritePreviewJSON) and the deploy's report (as parallel's WriteJSON).
func WriteFlowJSON(w io.Writer, fr *FlowResult) error {
	doc := struct {
		Branch  string          `json:"branch"`
		Commit  string          `json:"commit,omitempty"`
		Resumed bool            `json:"resumed"`
		Merged  bool            `json:"merged"`
		Pushed  string          `json:"pushed,omitempty"`
		Update  json.RawMessage `json:"update,omitempty"`
		Deploy  json.RawMessage `json:"deploy,omitempty"`
	}{Branch: fr.Branch, Commit: fr.Commit, Resumed: fr.Resumed, Merged: fr.Merged, Pushed: fr.Pushed}
	if fr.Update != nil {
		var b bytes.Buffer
		if err := WritePreviewJSON(&b, fr.Update); err != nil {
			return err
		}
		doc.Update = b.Bytes()
	}
	if fr.Deploy != nil && fr.Deploy.Report != nil {
		var b bytes.Buffer
		if err := fr.Deploy.Report.WriteJSON(&b); err != nil {
			return err
		}
		doc.Deploy = b.Bytes()
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// writeDescription saves the PR-ready description as dir/pr.md, whole or not at all: pasted as a
// PR's body, one cut short would silently drop the failed hosts listed at its end.
func writeDescription(dir, text string) error {
	if err := durablefile.Write(filepath.Join(dir, "pr.md"), []byte(text), 0o644); err != nil {
		return fmt.Errorf("update: PR description: %w", err)
	}
	return nil
}
