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

	"github.com/dustin/go-humanize"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/inventory"
)

// ApplyOptions configure Apply.
type ApplyOptions struct {
	Options
	// Branch is the branch the commit goes on; default branchName(Now()).
	Branch string
	Now    func() time.Time // default time.Now
}

// branchName is the default update branch of a day: update/2026-12-01.
func branchName(at time.Time) string { return "update/" + at.UTC().Format("2006-01-02") }

// Apply is Preview, then a commit of the new lock on top of HEAD, on a new branch whose message
// lists every input change and each host's package changes. It refuses a repository with
// uncommitted changes to tracked files and an existing branch, before doing anything. The
// branch is created last, pointing at the finished commit: a failure or a Ctrl-C before it
// leaves no branch, and the user's working tree, index and current branch are never changed.
func Apply(ctx context.Context, e *command.Executor, fleet *inventory.Fleet, hosts []*inventory.Host, opts ApplyOptions) (_ *Result, err error) {
	defer func() {
		if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("update interrupted before it started: nothing was changed: %w", ctx.Err())
		}
	}()
	if e.DryRun {
		return nil, errNoDryRun
	}
	flakeDir, err := FlakeDir(fleet.Flake)
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	branch := opts.Branch
	if branch == "" {
		branch = branchName(opts.Now())
	}
	local := e.Local()
	top, err := gitOut(ctx, local, flakeDir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("flake %s is not in a git repository: %w", flakeDir, err)
	}
	if _, err := gitOut(ctx, local, top, "check-ref-format", "--branch", branch); err != nil {
		return nil, fmt.Errorf("%q is not a valid branch name", branch)
	}
	if _, err := gitOut(ctx, local, top, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch); err == nil {
		return nil, fmt.Errorf("%s: branch %s exists already: deploy it (update:deploy), delete it (git branch -D %s) or name another with -branch", top, branch, branch)
	}
	dirty, err := gitOut(ctx, local, top, "status", "--porcelain", "--untracked-files=no")
	if err != nil {
		return nil, fmt.Errorf("%s: git status: %w", top, err)
	}
	if dirty != "" {
		first, _, _ := strings.Cut(dirty, "\n")
		return nil, fmt.Errorf("%s has uncommitted changes (%s ...): commit or stash them first; update:apply commits the new lock on top of HEAD", top, strings.TrimSpace(first))
	}
	return run(ctx, e, fleet, hosts, opts.Options, func(ctx context.Context, s *scratch, r *Result) error {
		msg := commitMessage(r)
		lock := filepath.Join(s.sub, "flake.lock")
		if _, err := local.Run(ctx, command.Cmd{Args: []string{"git", "-C", s.tree, "commit", "-q", "-F", "-", "--", lock},
			Stdin: strings.NewReader(msg), Env: gitEnv()}); err != nil {
			return fmt.Errorf("commit %s in the scratch worktree: %w (check git's user.name and user.email)", lock, err)
		}
		commit, err := gitOut(ctx, local, s.tree, "rev-parse", "HEAD")
		if err != nil {
			return err
		}
		// One ref update: the branch exists complete or not at all.
		if _, err := gitOut(ctx, local, s.top, "branch", "--no-track", branch, commit); err != nil {
			return fmt.Errorf("%s: create branch %s: %w", s.top, branch, err)
		}
		r.Branch, r.Commit = branch, commit
		opts.logf("committed %s on branch %s", shortRev(commit), branch)
		return nil
	})
}

// commitMessage is the update commit's message: a subject naming the inputs, every input
// change, then each host's closure, reboot, package changes and new warnings.
func commitMessage(r *Result) string {
	var b strings.Builder
	var names []string
	for _, c := range r.Inputs {
		names = append(names, c.Name)
	}
	if len(names) > 3 {
		fmt.Fprintf(&b, "flake.lock: update %d inputs\n\n", len(names))
	} else {
		fmt.Fprintf(&b, "flake.lock: update %s\n\n", strings.Join(names, ", "))
	}
	b.WriteString("Inputs:\n")
	for _, c := range r.Inputs {
		fmt.Fprintf(&b, "  %s\n", c)
	}
	b.WriteString("\nHosts (against the systems they ran when this was built):\n")
	for _, h := range r.Hosts {
		fmt.Fprintf(&b, "  %s: %s\n", h.Host, hostSummary(h))
		if h.Err != nil {
			continue
		}
		var ch bytes.Buffer
		_ = deploy.WriteChanges(&ch, h.Changes)
		for _, l := range strings.Split(strings.TrimRight(ch.String(), "\n"), "\n") {
			if l != "" {
				b.WriteString("  " + strings.TrimRight(l, " ") + "\n")
			}
		}
		for _, w := range h.NewWarnings {
			fmt.Fprintf(&b, "    new warning: %s\n", w)
		}
	}
	if r.OldWarningsUnknown != "" {
		fmt.Fprintf(&b, "\n(every warning counts as new: %s)\n", r.OldWarningsUnknown)
	}
	return b.String()
}

// hostSummary is one host's line: what runs, the closure and the reboot.
func hostSummary(h HostPreview) string {
	if h.Err != nil {
		return "running system unknown: " + oneLine(h.Err)
	}
	if h.AlreadyThere {
		return "unchanged (already runs it)"
	}
	var parts []string
	n := map[string]int{}
	for _, c := range h.Changes {
		n[c.Kind()]++
	}
	parts = append(parts, fmt.Sprintf("%d added, %d removed, %d upgraded", n["added"], n["removed"], n["upgraded"]))
	if h.NewSize >= 0 {
		s := "closure " + humanize.IBytes(uint64(h.NewSize))
		if h.RunningSize >= 0 {
			d := h.NewSize - h.RunningSize
			sign := "+"
			if d < 0 {
				sign, d = "-", -d
			}
			s += " (" + sign + humanize.IBytes(uint64(d)) + ")"
		}
		parts = append(parts, s)
	}
	if len(h.RebootParts) > 0 {
		parts = append(parts, "reboot needed ("+strings.Join(h.RebootParts, ", ")+")")
	} else {
		parts = append(parts, "no reboot")
	}
	return strings.Join(parts, "; ")
}

// WritePreview renders a preview (or apply): the input changes, the hosts' table and package
// changes (deploy.WritePlan), the new warnings, and the commit when there is one.
func WritePreview(w io.Writer, r *Result) error {
	if r.upToDate() {
		_, err := fmt.Fprintf(w, "flake.lock of %s is up to date at %s: no input has a newer revision\n", r.Repo, shortRev(r.Base))
		return err
	}
	fmt.Fprintf(w, "inputs (lock of %s at %s):\n", r.Repo, shortRev(r.Base))
	for _, c := range r.Inputs {
		fmt.Fprintf(w, "  %s\n", c)
	}
	fmt.Fprintln(w)
	plans := make([]deploy.HostPlan, len(r.Hosts))
	for i, h := range r.Hosts {
		plans[i] = h.HostPlan
	}
	if err := deploy.WritePlan(w, plans); err != nil {
		return err
	}
	sep := "\n"
	for _, h := range r.Hosts {
		for _, warn := range h.NewWarnings {
			fmt.Fprintf(w, "%s%s: new warning: %s\n", sep, h.Host, warn)
			sep = ""
		}
	}
	if r.OldWarningsUnknown != "" {
		fmt.Fprintf(w, "\n(every warning counts as new: %s)\n", r.OldWarningsUnknown)
	}
	if r.Branch != "" {
		fmt.Fprintf(w, "\ncommitted %s on branch %s (deploy it with `go tool mage update:deploy`)\n", shortRev(r.Commit), r.Branch)
	}
	return nil
}

type jsonHost struct {
	Host        string          `json:"host"`
	Error       string          `json:"error,omitempty"`
	Running     string          `json:"running,omitempty"`
	New         string          `json:"new,omitempty"`
	Unchanged   bool            `json:"unchanged"`
	RunningSize int64           `json:"runningClosureBytes"`
	NewSize     int64           `json:"newClosureBytes"`
	Reboot      []string        `json:"rebootParts"`
	Changes     []deploy.Change `json:"changes"`
	NewWarnings []string        `json:"newWarnings"`
}

// WritePreviewJSON writes the result as one JSON document.
func WritePreviewJSON(w io.Writer, r *Result) error {
	doc := struct {
		Repo               string        `json:"repo"`
		Base               string        `json:"base"`
		Inputs             []InputChange `json:"inputs"`
		Hosts              []jsonHost    `json:"hosts"`
		OldWarningsUnknown string        `json:"oldWarningsUnknown,omitempty"`
		Branch             string        `json:"branch,omitempty"`
		Commit             string        `json:"commit,omitempty"`
	}{Repo: r.Repo, Base: r.Base, Inputs: r.Inputs, OldWarningsUnknown: r.OldWarningsUnknown, Branch: r.Branch, Commit: r.Commit}
	for _, h := range r.Hosts {
		jh := jsonHost{Host: h.Host, Running: h.Running, New: h.New, Unchanged: h.AlreadyThere, RunningSize: h.RunningSize,
			NewSize: h.NewSize, Reboot: h.RebootParts, Changes: h.Changes, NewWarnings: h.NewWarnings}
		if h.Err != nil {
			jh.Error = oneLine(h.Err)
		}
		doc.Hosts = append(doc.Hosts, jh)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
