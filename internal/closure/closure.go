// Package closure says where a system's disk space goes (the old `analyze HOST`): the largest
// store paths of its closure, each with its own and its closure's size, and, against the
// generation before it (or the running system, for a system not yet deployed), which packages
// grew, appeared or went, as `nix store diff-closures` groups them: by package name.
//
// Sizes are what the store database of the machine holding the paths says (nix path-info -rsS:
// NAR sizes), one round trip per system.
//
// Entry points: [Current] analyses what a host runs, [BuildNext] and [Next] what a deploy would
// bring; [Write] renders the [Analysis].
package closure

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
)

// Path is one store path of a closure.
type Path struct {
	Path    string `json:"path"`
	NAR     int64  `json:"narSize"`     // its own size
	Closure int64  `json:"closureSize"` // with everything it references
}

// System is one system's closure.
type System struct {
	Path  string `json:"path"`
	Label string `json:"label"` // "generation 7", "running", "new (not deployed)"
	Size  int64  `json:"size"`  // the closure's size: the toplevel's closureSize
	Paths []Path `json:"-"`
}

// read reads the closure of system where h's store holds it.
func read(ctx context.Context, h *command.Host, system, label string) (System, error) {
	n, c := pathInfo(h, system)
	res, err := n.Run(ctx, c)
	if err != nil {
		return System{}, fmt.Errorf("%s: closure of %s: %w", h.Name(), base(system), err)
	}
	s := System{Path: system, Label: label}
	if res.DryRun {
		return s, nil
	}
	if s.Paths, err = parsePathInfo(res.Stdout); err != nil {
		return System{}, fmt.Errorf("%s: closure of %s: %w", h.Name(), base(system), err)
	}
	for _, p := range s.Paths {
		if p.Path == system {
			s.Size = p.Closure
		}
	}
	return s, nil
}

// parsePathInfo reads both JSON forms of nix path-info: a list of objects with "path" (Nix up
// to 2.18, Debian's 2.8) and an object keyed by path (2.19 and later, what NixOS runs).
func parsePathInfo(b []byte) ([]Path, error) {
	var list []Path
	if err := json.Unmarshal(b, &list); err == nil {
		return sorted(list), nil
	}
	var byPath map[string]*Path
	if err := json.Unmarshal(b, &byPath); err != nil {
		return nil, fmt.Errorf("unexpected nix path-info output: %w", err)
	}
	for p, info := range byPath {
		if info == nil {
			return nil, fmt.Errorf("%s is not valid in the store", base(p))
		}
		info.Path = p
		list = append(list, *info)
	}
	return sorted(list), nil
}

// sorted orders paths by own size, largest first (then by path, for stable output).
func sorted(ps []Path) []Path {
	slices.SortFunc(ps, func(a, b Path) int {
		if a.NAR != b.NAR {
			if a.NAR > b.NAR {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Path, b.Path)
	})
	return ps
}

// Growth is one package's change between two closures: its paths' total size before and after.
type Growth struct {
	Name     string   `json:"name"`
	From     []string `json:"from,omitempty"` // versions before; empty when added
	To       []string `json:"to,omitempty"`   // versions after; empty when removed
	FromSize int64    `json:"fromSize"`
	ToSize   int64    `json:"toSize"`
	Added    bool     `json:"added,omitempty"`
	Removed  bool     `json:"removed,omitempty"`
}

// delta is the size change in bytes.
func (g Growth) delta() int64 { return g.ToSize - g.FromSize }

// grew compares two closures by package name (the store path's name without its version, as
// nix store diff-closures does) and returns the packages whose size changed, largest growth
// first; packages whose version changed at the same size are listed too.
func grew(before, after System) []Growth {
	type acc struct {
		versions []string
		size     int64
	}
	group := func(s System) map[string]*acc {
		m := map[string]*acc{}
		for _, p := range s.Paths {
			pkg := deploy.ParsePackage(p.Path)
			a := m[pkg.Name]
			if a == nil {
				a = &acc{}
				m[pkg.Name] = a
			}
			a.size += p.NAR
			if pkg.Version != "" && !slices.Contains(a.versions, pkg.Version) {
				a.versions = append(a.versions, pkg.Version)
			}
		}
		for _, a := range m {
			slices.Sort(a.versions)
		}
		return m
	}
	b, a := group(before), group(after)
	var out []Growth
	for name, x := range a {
		g := Growth{Name: name, To: x.versions, ToSize: x.size}
		if y, ok := b[name]; ok {
			g.From, g.FromSize = y.versions, y.size
			if g.FromSize == g.ToSize && slices.Equal(g.From, g.To) {
				continue
			}
		} else {
			g.Added = true
		}
		out = append(out, g)
	}
	for name, y := range b {
		if _, ok := a[name]; !ok {
			out = append(out, Growth{Name: name, From: y.versions, FromSize: y.size, Removed: true})
		}
	}
	slices.SortFunc(out, func(x, y Growth) int {
		if x.delta() != y.delta() {
			if x.delta() > y.delta() {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Name, y.Name)
	})
	return out
}

// Analysis is one host's report.
type Analysis struct {
	Host    string   `json:"host"`
	System  System   `json:"system"`
	Count   int      `json:"paths"`
	Largest []Path   `json:"largest"`
	Base    *System  `json:"base,omitempty"` // what it is compared with; nil when nothing came before
	Grew    []Growth `json:"grew,omitempty"` // every change, largest growth first
}

// analyze builds the report of sys against base (nil: none), keeping the top largest paths.
func analyze(host string, sys System, base *System, top int) Analysis {
	a := Analysis{Host: host, System: sys, Count: len(sys.Paths), Base: base}
	a.Largest = sys.Paths[:min(top, len(sys.Paths))]
	if base != nil {
		a.Grew = grew(*base, sys)
	}
	return a
}

// Write renders the report: the system and its size, the largest paths, then the changes
// against the base (the top of them by growth, and the rest counted).
func Write(w io.Writer, a Analysis, top int) error {
	fmt.Fprintf(w, "%s: %s (%s): closure %s in %d paths\n", a.Host, base(a.System.Path), a.System.Label, size(a.System.Size), a.Count)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\tSIZE\tCLOSURE\t\n")
	for _, p := range a.Largest {
		fmt.Fprintf(tw, "\t%s\t%s\t  %s\n", size(p.NAR), size(p.Closure), base(p.Path))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if a.Base == nil {
		fmt.Fprintf(w, "no generation before it to compare with\n")
		return nil
	}
	delta := a.System.Size - a.Base.Size
	fmt.Fprintf(w, "\nsince %s (%s): closure %s -> %s (%s)\n", a.Base.Label, base(a.Base.Path), size(a.Base.Size), size(a.System.Size), signed(delta))
	if len(a.Grew) == 0 {
		fmt.Fprintln(w, "no package changed")
		return nil
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, g := range a.Grew {
		if i == top {
			fmt.Fprintf(tw, "... and %d more changes (-top N, or -json for all)\n", len(a.Grew)-top)
			break
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", signed(g.delta()), g.Name, versions(g))
	}
	return tw.Flush()
}

func versions(g Growth) string {
	v := func(vs []string) string {
		if len(vs) == 0 {
			return "(no version)"
		}
		return strings.Join(vs, ", ")
	}
	switch {
	case g.Added:
		return "added " + v(g.To)
	case g.Removed:
		return "removed " + v(g.From)
	case slices.Equal(g.From, g.To):
		return v(g.To) + " (rebuilt)"
	}
	return v(g.From) + " -> " + v(g.To)
}

func size(n int64) string {
	if n < 0 {
		return "?"
	}
	return humanize.IBytes(uint64(n))
}

func signed(n int64) string {
	if n < 0 {
		return "-" + humanize.IBytes(uint64(-n))
	}
	return "+" + humanize.IBytes(uint64(n))
}

func base(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// Current analyzes the system remote runs (/run/current-system) against the system profile's
// generation before it.
func Current(ctx context.Context, remote *command.Host, top int) (Analysis, error) {
	gens, err := deploy.Generations(ctx, remote)
	if err != nil {
		return Analysis{}, err
	}
	running := slices.IndexFunc(gens, func(g deploy.Generation) bool { return g.Running })
	var sysPath, label string
	switch {
	case running >= 0:
		sysPath, label = gens[running].Path, fmt.Sprintf("generation %d, running", gens[running].Number)
	default:
		st, err := deploy.Probe(ctx, remote, "", 30*time.Second)
		if err != nil {
			return Analysis{}, fmt.Errorf("%s: probe: %w", remote.Name(), err)
		}
		if st.Current == "" {
			return Analysis{}, fmt.Errorf("%s: no /run/current-system: not a NixOS host, or not booted into one", remote.Name())
		}
		sysPath, label = st.Current, "running, not a profile generation"
	}
	sys, err := read(ctx, remote, sysPath, label)
	if err != nil {
		return Analysis{}, err
	}
	var before *System
	if running > 0 {
		g := gens[running-1]
		b, err := read(ctx, remote, g.Path, fmt.Sprintf("generation %d", g.Number))
		if err != nil {
			return Analysis{}, err
		}
		before = &b
	}
	return analyze(remote.Name(), sys, before, top), nil
}

// Next analyzes newSystem, built into local's store, against what remote runs: what a deploy
// would add.
func Next(ctx context.Context, local, remote *command.Host, newSystem string, top int) (Analysis, error) {
	sys, err := read(ctx, local, newSystem, "new, not deployed")
	if err != nil {
		return Analysis{}, err
	}
	st, err := deploy.Probe(ctx, remote, "", 30*time.Second)
	if err != nil {
		return Analysis{}, fmt.Errorf("%s: probe: %w", remote.Name(), err)
	}
	var before *System
	if st.Current != "" {
		b, err := read(ctx, remote, st.Current, "running")
		if err != nil {
			return Analysis{}, err
		}
		before = &b
	}
	return analyze(remote.Name(), sys, before, top), nil
}
