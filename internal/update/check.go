package update

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/parallel"
	"github.com/nixos-hub/hub/internal/piddir"
)

// States of an input in a Check.
const (
	stateCurrent   = "current"   // upstream has nothing newer
	stateBehind    = "behind"    // upstream moved; the locked revision is younger than MaxAge
	stateStale     = "stale"     // upstream moved and the locked revision is older than MaxAge
	statePinned    = "pinned"    // the flake asks for one revision: nothing to update
	stateUnchecked = "unchecked" // not a git repository or a path (tarball, indirect...)
	stateError     = "error"     // upstream could not be asked
)

// CheckOptions configure Check.
type CheckOptions struct {
	// MaxAge is how old a locked revision may be while upstream has a newer one before the
	// input is stale (and the check fails).
	MaxAge time.Duration
	// Timeout bounds each input's git calls; default 1m.
	Timeout time.Duration
	// NixSettings are the settings of the nix call that hashes a path input; default nix.Real().
	NixSettings *nix.Settings
	Now         func() time.Time // default time.Now

	// Progress output, as in parallel.Options.
	Out      io.Writer
	RunDir   string
	Progress parallel.Progress
}

// InputStatus is one input compared with upstream.
type InputStatus struct {
	Name       string    `json:"name"`
	Type       string    `json:"type"`
	Locked     string    `json:"locked"` // short revision (or narHash for a path)
	LockedDate time.Time `json:"lockedDate"`
	// Source is where upstream was asked: "URL ref" or the path.
	Source       string    `json:"source,omitempty"`
	Upstream     string    `json:"upstream,omitempty"` // newest short revision; "changed" for a path whose content differs
	UpstreamDate time.Time `json:"upstreamDate,omitzero"`
	// Behind counts the commits between the locked and the newest revision; -1 when unknown.
	Behind int    `json:"behind"`
	State  string `json:"state"`
	Note   string `json:"note,omitempty"`
}

// CheckReport is a Check's outcome, inputs sorted by name.
type CheckReport struct {
	Lock   string        `json:"lock"`
	MaxAge time.Duration `json:"-"` // in WriteCheckJSON as maxAgeSeconds
	Inputs []InputStatus `json:"inputs"`
}

// Err names the stale inputs and those upstream could not be asked about, or is nil.
func (r *CheckReport) Err() error {
	var stale, failed []string
	for _, in := range r.Inputs {
		switch in.State {
		case stateStale:
			stale = append(stale, in.Name)
		case stateError:
			failed = append(failed, in.Name+" ("+in.Note+")")
		}
	}
	var errs []error
	if len(stale) > 0 {
		errs = append(errs, fmt.Errorf("%s: %s locked more than %s ago with newer upstream revisions: run `go tool mage update:preview` to see what updating changes",
			r.Lock, strings.Join(stale, ", "), days(r.MaxAge)))
	}
	if len(failed) > 0 {
		errs = append(errs, fmt.Errorf("%s: upstream of %s could not be asked: check the URL and the network", r.Lock, strings.Join(failed, "; ")))
	}
	return errors.Join(errs...)
}

// Check compares every input of lockFile with its upstream, all inputs at once through
// internal/parallel: git ls-remote of the branch the flake follows, then, when upstream moved, a
// commits-only fetch (no trees, no blobs) since the locked date into a scratch repository to
// count the commits and date the newest. A path input is compared by content hash.
func Check(ctx context.Context, e *command.Executor, lockFile string, opts CheckOptions) (*CheckReport, error) {
	lock, err := readLock(lockFile)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s does not exist: the flake has never been locked; `go tool mage update:apply` writes and commits one", lockFile)
		}
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout == 0 {
		opts.Timeout = time.Minute
	}
	settings := nix.Real()
	if opts.NixSettings != nil {
		settings = *opts.NixSettings
	}
	rep := &CheckReport{Lock: lockFile, MaxAge: opts.MaxAge, Inputs: make([]InputStatus, len(lock.Inputs))}
	names := make([]string, len(lock.Inputs))
	index := map[string]int{}
	for i, in := range lock.Inputs {
		names[i] = taskName(in.Name)
		index[names[i]] = i
	}
	if len(names) == 0 {
		return rep, nil
	}
	now := opts.Now()
	_, err = parallel.Run(ctx, names, func(ctx context.Context, t *parallel.Task) error {
		i := index[t.Host()]
		st := checkInput(ctx, e.Local(), t, lock.Inputs[i], settings, opts.Timeout)
		if st.State == stateBehind && !st.LockedDate.IsZero() && now.Sub(st.LockedDate) > opts.MaxAge {
			st.State = stateStale
		}
		rep.Inputs[i] = st
		if st.State == stateError {
			return errors.New(st.Note)
		}
		t.Set("state", st.State)
		return nil
	}, parallel.Options{Name: "update-check", KeepGoing: true, Out: opts.Out, RunDir: opts.RunDir, Progress: opts.Progress, Now: opts.Now})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// taskName is an input's name as a internal/parallel task (which takes no slashes).
func taskName(input string) string { return strings.ReplaceAll(input, "/", ".") }

func checkInput(ctx context.Context, local *command.Host, t *parallel.Task, in Input, settings nix.Settings, timeout time.Duration) InputStatus {
	st := InputStatus{Name: in.Name, Type: in.Type, Locked: in.short(), LockedDate: in.lastModified(), Behind: -1}
	if in.pinned() {
		st.State, st.Note = statePinned, "the flake pins revision "+shortRev(str(in.Original, "rev"))
		return st
	}
	if in.Type == "path" {
		t.Phase("hash")
		st.Source = in.Path()
		res, err := nix.On(local, settings).HashPath(ctx, in.Path(), timeout)
		if err != nil {
			st.State, st.Note = stateError, oneLine(err)
			return st
		}
		if res.DryRun {
			st.State = stateCurrent
			return st
		}
		if strings.TrimSpace(string(res.Stdout)) == in.narHash() {
			st.State, st.Behind = stateCurrent, 0
		} else {
			st.State, st.Upstream, st.Note = stateBehind, "changed", "the directory's content differs from the lock"
		}
		return st
	}
	url, ref, ok := in.remote()
	if !ok {
		st.State, st.Note = stateUnchecked, "type "+in.Type+" has no git upstream to ask"
		return st
	}
	st.Source = url + " " + ref
	t.Phase("ls-remote")
	res, err := local.Run(ctx, command.Cmd{Args: []string{"git", "ls-remote", "--", url, ref}, Env: gitEnv(), Timeout: timeout})
	if err != nil {
		st.State, st.Note = stateError, oneLine(err)
		return st
	}
	if res.DryRun {
		st.State = stateCurrent
		return st
	}
	full, rev := pickRef(string(res.Stdout), ref)
	if rev == "" {
		st.State, st.Note = stateError, fmt.Sprintf("%s has no ref %s", url, ref)
		return st
	}
	st.Upstream = shortRev(rev)
	if rev == in.rev() {
		st.State, st.Behind, st.UpstreamDate = stateCurrent, 0, st.LockedDate
		return st
	}
	st.State = stateBehind
	t.Phase("fetch")
	st.Behind, st.UpstreamDate, err = countBehind(ctx, local, url, full, rev, in.rev(), st.LockedDate, timeout)
	if err != nil {
		// The newest revision is known; only the distance is not.
		st.Note = "commits behind unknown: " + oneLine(err)
		t.Logf("%s", st.Note)
	}
	return st
}

// pickRef chooses, from git ls-remote output, the ref a flake's ref means: the branch, else the
// tag (peeled to its commit), else the exact name (HEAD).
func pickRef(out, ref string) (full, rev string) {
	refs := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if h, name, ok := strings.Cut(strings.TrimSpace(l), "\t"); ok {
			refs[name] = h
		}
	}
	for _, name := range []string{"refs/heads/" + ref, "refs/tags/" + ref + "^{}", "refs/tags/" + ref, ref} {
		if h, ok := refs[name]; ok {
			return strings.TrimSuffix(name, "^{}"), h
		}
	}
	return "", ""
}

// checkPrefix names countBehind's scratch repositories (internal/piddir: swept once their run is gone).
const checkPrefix = "hub-update-check-"

// countBehind fetches the commits of ref newer than the locked date, without trees or blobs
// (cheap even for nixpkgs), into a scratch repository that is removed afterwards, and counts
// those the locked revision does not have.
func countBehind(ctx context.Context, local *command.Host, url, ref, rev, locked string, lockedAt time.Time, timeout time.Duration) (int, time.Time, error) {
	piddir.Sweep(os.TempDir(), checkPrefix, nil)
	dir, err := piddir.Make(os.TempDir(), checkPrefix)
	if err != nil {
		return -1, time.Time{}, err
	}
	defer os.RemoveAll(dir)
	git := func(args ...string) (string, error) {
		res, err := local.Run(ctx, command.Cmd{Args: append([]string{"git", "-C", dir}, args...), Env: gitEnv(), Timeout: timeout})
		return strings.TrimSpace(string(res.Stdout)), err
	}
	if _, err := git("init", "-q", "--bare"); err != nil {
		return -1, time.Time{}, err
	}
	fetch := []string{"fetch", "-q", "--filter=tree:0", "--no-tags"}
	if !lockedAt.IsZero() {
		fetch = append(fetch, "--shallow-since=@"+strconv.FormatInt(lockedAt.Unix()-1, 10))
	}
	if _, err := git(append(fetch, "--", url, ref)...); err != nil {
		return -1, time.Time{}, err
	}
	ct, err := git("log", "-1", "--format=%ct", rev)
	if err != nil {
		return -1, time.Time{}, err
	}
	sec, _ := strconv.ParseInt(ct, 10, 64)
	at := time.Unix(sec, 0).UTC()
	if _, err := git("cat-file", "-e", locked+"^{commit}"); err != nil {
		return -1, at, fmt.Errorf("the locked revision %s is not on %s any more (force-pushed?)", shortRev(locked), ref)
	}
	n, err := git("rev-list", "--count", rev, "^"+locked)
	if err != nil {
		return -1, at, err
	}
	count, _ := strconv.Atoi(n)
	return count, at, nil
}

// gitEnv keeps git from asking for credentials on a terminal (a private or mistyped URL fails at
// once instead of waiting for a password) and from refreshing the user's index as a side effect
// of git status (optional locks): the update workflow changes nothing of the user's tree.
func gitEnv() []string { return []string{"GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0"} }

// WriteCheck renders the report as a table.
func WriteCheck(w io.Writer, r *CheckReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INPUT\tTYPE\tLOCKED\tDATE\tUPSTREAM\tDATE\tBEHIND\tSTATE")
	for _, in := range r.Inputs {
		behind := "-"
		switch {
		case in.Behind >= 0:
			behind = strconv.Itoa(in.Behind)
		case in.State == stateBehind || in.State == stateStale:
			behind = "?"
		}
		upstream, upDate := in.Upstream, day(in.UpstreamDate)
		if upstream == "" {
			upstream, upDate = "-", "-"
		}
		if in.UpstreamDate.IsZero() && upstream != "-" {
			upDate = "?"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", in.Name, in.Type, in.Locked, day(in.LockedDate), upstream, upDate, behind, in.State)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, in := range r.Inputs {
		if in.Note != "" {
			fmt.Fprintf(w, "%s: %s\n", in.Name, in.Note)
		}
	}
	return nil
}

// WriteCheckJSON writes the report as one JSON document.
func WriteCheckJSON(w io.Writer, r *CheckReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		*CheckReport
		MaxAgeSeconds float64 `json:"maxAgeSeconds"`
	}{r, r.MaxAge.Seconds()})
}

// ParseAge reads a maximum age: "30d", "2w" or a Go duration ("36h").
func ParseAge(s string) (time.Duration, error) {
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil || v < 0 {
				return 0, fmt.Errorf("age %q: want e.g. 30d, 2w or 36h", s)
			}
			return time.Duration(v * float64(unit)), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("age %q: want e.g. 30d, 2w or 36h", s)
	}
	return d, nil
}

func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}

// oneLine is an error's first line.
func oneLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
