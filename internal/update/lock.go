// Package update is the hub's update workflow (docs/update.md): what the flake's inputs are
// locked to and how far upstream has moved (Check), what a new lock would change on each host
// (Preview, built on internal/deploy's evaluation and plan), committing that lock on a branch of its
// own (Apply), and the production flow that deploys the branch through internal/deploy and
// fast-forwards main when every host runs it (Deploy). Every lock change is made and built in a
// scratch worktree: Preview never touches the user's working tree, index or branch, Apply only
// adds a branch, and only Deploy's final fast-forward moves main.
package update

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Input is one locked node of a flake.lock: a direct input of the flake or an input of one.
type Input struct {
	// Name is the input's path from the flake, as `nix flake lock --update-input` takes it:
	// "nixpkgs", "agenix/systems".
	Name string `json:"name"`
	// Type is the fetcher: github, git, path (others are listed and not checked).
	Type string `json:"type"`
	// Original is the reference the flake asked for; Locked what the lock pins.
	Original map[string]any `json:"original"`
	Locked   map[string]any `json:"locked"`
}

// rev is the locked commit ("" for a path input).
func (in Input) rev() string { return str(in.Locked, "rev") }

// lastModified is the locked revision's date (the commit date for git and github inputs).
func (in Input) lastModified() time.Time {
	if v, ok := in.Locked["lastModified"].(float64); ok {
		return time.Unix(int64(v), 0).UTC()
	}
	return time.Time{}
}

// narHash is the locked content's hash.
func (in Input) narHash() string { return str(in.Locked, "narHash") }

// pinned reports whether the flake asks for one revision (url ...?rev= or github:o/r/<rev>):
// no update can move it, so upstream is not asked.
func (in Input) pinned() bool { return str(in.Original, "rev") != "" }

// remote is the git URL and ref whose head is the newest revision the input could be updated
// to: the branch or tag the flake names, or the remote's HEAD. ok is false for inputs that are
// not git repositories (path, tarball, indirect...).
func (in Input) remote() (url, ref string, ok bool) {
	ref = str(in.Original, "ref")
	if ref == "" {
		ref = "HEAD"
	}
	switch in.Type {
	case "github":
		host := str(in.Original, "host")
		if host == "" {
			host = "github.com"
		}
		return "https://" + host + "/" + str(in.Original, "owner") + "/" + str(in.Original, "repo"), ref, true
	case "gitlab":
		host := str(in.Original, "host")
		if host == "" {
			host = "gitlab.com"
		}
		return "https://" + host + "/" + str(in.Original, "owner") + "/" + str(in.Original, "repo") + ".git", ref, true
	case "git":
		u := str(in.Original, "url")
		if u == "" {
			u = str(in.Locked, "url")
		}
		return u, ref, u != ""
	}
	return "", "", false
}

// Path is a path input's directory.
func (in Input) Path() string { return str(in.Locked, "path") }

// short is the input's locked revision for people: 12 hex digits, or the narHash's start.
func (in Input) short() string {
	if r := in.rev(); r != "" {
		return shortRev(r)
	}
	if h := in.narHash(); h != "" {
		return strings.TrimPrefix(h, "sha256-")[:min(12, len(strings.TrimPrefix(h, "sha256-")))]
	}
	return "-"
}

// Lock is a parsed flake.lock.
type Lock struct {
	Inputs []Input // every node but the root, sorted by Name
}

// Input returns the named input.
func (l *Lock) Input(name string) (Input, bool) {
	if l == nil {
		return Input{}, false
	}
	for _, in := range l.Inputs {
		if in.Name == name {
			return in, true
		}
	}
	return Input{}, false
}

type rawLock struct {
	Nodes   map[string]rawNode `json:"nodes"`
	Root    string             `json:"root"`
	Version int                `json:"version"`
}

type rawNode struct {
	Inputs   map[string]json.RawMessage `json:"inputs"`
	Locked   map[string]any             `json:"locked"`
	Original map[string]any             `json:"original"`
}

// readLock reads and parses a flake.lock file.
func readLock(file string) (*Lock, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	l, err := parseLock(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return l, nil
}

// parseLock parses flake.lock content. Inputs are named by the path from the root that reaches
// them first in name order; "follows" entries are not nodes of their own and are skipped.
func parseLock(b []byte) (*Lock, error) {
	var raw rawLock
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("not a flake.lock: %w", err)
	}
	if raw.Version < 5 {
		return nil, fmt.Errorf("flake.lock version %d is older than this nix's format (5-7): run `nix flake update` once", raw.Version)
	}
	if _, ok := raw.Nodes[raw.Root]; !ok {
		return nil, fmt.Errorf("flake.lock has no root node %q", raw.Root)
	}
	l := &Lock{}
	seen := map[string]bool{raw.Root: true}
	type item struct{ node, path string }
	queue := []item{{raw.Root, ""}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		n := raw.Nodes[it.node]
		names := make([]string, 0, len(n.Inputs))
		for k := range n.Inputs {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			var target string
			if json.Unmarshal(n.Inputs[k], &target) != nil {
				continue // ["nixpkgs"]: follows another input, not a node
			}
			if seen[target] {
				continue
			}
			seen[target] = true
			child, ok := raw.Nodes[target]
			if !ok {
				return nil, fmt.Errorf("flake.lock: input %s names node %q, which is missing", k, target)
			}
			path := k
			if it.path != "" {
				path = it.path + "/" + k
			}
			l.Inputs = append(l.Inputs, Input{Name: path, Type: str(child.Locked, "type"), Original: child.Original, Locked: child.Locked})
			queue = append(queue, item{target, path})
		}
	}
	slices.SortFunc(l.Inputs, func(a, b Input) int { return strings.Compare(a.Name, b.Name) })
	return l, nil
}

// InputChange is one input's difference between two locks.
type InputChange struct {
	Name string `json:"name"`
	// From and To are the revisions for people (Short), "" when the input is new or gone.
	From     string    `json:"from"`
	To       string    `json:"to"`
	FromDate time.Time `json:"fromDate"`
	ToDate   time.Time `json:"toDate"`
}

// Kind is "added", "removed" or "updated".
func (c InputChange) Kind() string {
	switch {
	case c.From == "":
		return "added"
	case c.To == "":
		return "removed"
	}
	return "updated"
}

// String is the change on one line: "nixpkgs: 0123456789ab (2026-11-02) -> ba9876543210 (2026-11-30)".
func (c InputChange) String() string {
	side := func(rev string, at time.Time) string {
		if rev == "" {
			return "(none)"
		}
		return rev + " (" + day(at) + ")"
	}
	return c.Name + ": " + side(c.From, c.FromDate) + " -> " + side(c.To, c.ToDate)
}

// diffLocks lists the inputs whose locked content differs between old (nil: no lock yet) and new.
func diffLocks(old, new *Lock) []InputChange {
	var out []InputChange
	for _, n := range new.Inputs {
		o, ok := old.Input(n.Name)
		if ok && o.narHash() == n.narHash() && o.rev() == n.rev() {
			continue
		}
		c := InputChange{Name: n.Name, To: n.short(), ToDate: n.lastModified()}
		if ok {
			c.From, c.FromDate = o.short(), o.lastModified()
		}
		out = append(out, c)
	}
	if old != nil {
		for _, o := range old.Inputs {
			if _, ok := new.Input(o.Name); !ok {
				out = append(out, InputChange{Name: o.Name, From: o.short(), FromDate: o.lastModified()})
			}
		}
	}
	slices.SortFunc(out, func(a, b InputChange) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func shortRev(r string) string { return r[:min(12, len(r))] }

func day(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format("2006-01-02")
}

// FlakeDir is the directory of a fleet's flake (inventory.Fleet.Flake): a path, or a path: or
// git+file: reference. The update workflow edits a lock, so a remote flake has none to offer.
func FlakeDir(flake string) (string, error) {
	dir := flake
	for _, prefix := range []string{"path:", "git+file://"} {
		dir = strings.TrimPrefix(dir, prefix)
	}
	if dir, _, _ = strings.Cut(dir, "?"); !filepath.IsAbs(dir) {
		return "", fmt.Errorf("flake %s is not a directory on this machine: the update workflow edits its flake.lock, so set `flake` in hosts/fleet.toml to the repository", flake)
	}
	return dir, nil
}
