package deploy

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/nix"
)

// Package is a store path's name split into package name and version.
type Package struct {
	Name    string
	Version string
}

// ParsePackage splits a store path name the way Nix does (builtins.parseDrvName): the version
// starts at the first dash followed by a digit. "nixos-system-p620-24.11" is {nixos-system-p620 24.11}.
func ParsePackage(storePath string) Package {
	name := shortPath(storePath)
	for i := 0; i+1 < len(name); i++ {
		if name[i] == '-' && name[i+1] >= '0' && name[i+1] <= '9' {
			return Package{Name: name[:i], Version: name[i+1:]}
		}
	}
	return Package{Name: name}
}

// Change is one package difference between two closures.
type Change struct {
	Name string
	From []string // versions before; empty when added
	To   []string // versions after; empty when removed
}

// Kind is "added", "removed" or "upgraded" (any version change, downgrades included).
func (c Change) Kind() string {
	switch {
	case len(c.From) == 0:
		return "added"
	case len(c.To) == 0:
		return "removed"
	}
	return "upgraded"
}

// DiffClosures compares two closures (lists of store paths) by package name. Paths that only
// changed hash (rebuilt with other inputs) are not listed: a closure diff is for people.
func DiffClosures(before, after []string) []Change {
	versions := func(paths []string) map[string][]string {
		m := map[string][]string{}
		for _, p := range paths {
			pkg := ParsePackage(p)
			if !slices.Contains(m[pkg.Name], pkg.Version) {
				m[pkg.Name] = append(m[pkg.Name], pkg.Version)
			}
		}
		for _, v := range m {
			slices.Sort(v)
		}
		return m
	}
	b, a := versions(before), versions(after)
	var out []Change
	for name, to := range a {
		from, ok := b[name]
		if !ok || !slices.Equal(from, to) {
			out = append(out, Change{Name: name, From: from, To: to})
		}
	}
	for name, from := range b {
		if _, ok := a[name]; !ok {
			out = append(out, Change{Name: name, From: from})
		}
	}
	slices.SortFunc(out, func(x, y Change) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// HostPlan is what a deploy would change on one host.
type HostPlan struct {
	Host         string
	Err          error
	Running      string
	New          string
	RunningSize  int64 // closure bytes; -1 unknown
	NewSize      int64
	Changes      []Change
	RebootParts  []string
	AlreadyThere bool
}

// Plan evaluates and builds (locally, one realise) the selected hosts' systems and compares
// them with what runs: store paths, closure sizes, package changes and whether a reboot is needed.
func Plan(ctx context.Context, fleet *inventory.Fleet, e *command.Executor, hosts []*inventory.Host, settings nix.Settings, timeout time.Duration) ([]HostPlan, error) {
	var names []string
	for _, h := range hosts {
		names = append(names, h.Name)
	}
	systems, err := Evaluate(ctx, e.Local(), fleet.Flake, names, settings)
	if err != nil {
		return nil, err
	}
	return PlanSystems(ctx, e, hosts, systems, settings, timeout)
}

// PlanSystems is Plan for systems already evaluated (update:preview evaluates a scratch
// worktree's flake itself, for its warnings), so that they are built once.
func PlanSystems(ctx context.Context, e *command.Executor, hosts []*inventory.Host, systems map[string]System, settings nix.Settings, timeout time.Duration) ([]HostPlan, error) {
	var drvs []string
	for _, h := range hosts {
		sys, ok := systems[h.Name]
		if !ok {
			return nil, fmt.Errorf("plan: host %s was not evaluated", h.Name)
		}
		drvs = append(drvs, sys.Drv)
	}
	if _, err := nix.On(e.Local(), settings).Realise(ctx, drvs, nix.RealiseOptions{KeepGoing: true}); err != nil {
		return nil, fmt.Errorf("plan: build: %w", err)
	}
	out := make([]HostPlan, len(hosts))
	done := make(chan struct{})
	for i, h := range hosts {
		go func() {
			defer func() { done <- struct{}{} }()
			out[i] = planHost(ctx, e, h, systems[h.Name], timeout)
		}()
	}
	for range hosts {
		<-done
	}
	return out, nil
}

func planHost(ctx context.Context, e *command.Executor, h *inventory.Host, sys System, timeout time.Duration) HostPlan {
	p := HostPlan{Host: h.Name, New: sys.Out, RunningSize: -1, NewSize: -1}
	remote := e.SSH(h.Name, h.SSH)
	st, err := Probe(ctx, remote, "", timeout)
	if err != nil {
		p.Err = err
		return p
	}
	p.Running = st.Current
	p.AlreadyThere = st.Current == sys.Out
	after, size, err := closure(ctx, e.Local(), sys.Out)
	if err != nil {
		p.Err = err
		return p
	}
	p.NewSize = size
	var before []string
	if st.Current != "" {
		if before, p.RunningSize, err = closure(ctx, remote, st.Current); err != nil {
			p.Err = err
			return p
		}
	}
	p.Changes = DiffClosures(before, after)
	// The boot parts of the new system are symlinks in the local store; the booted system's are
	// on the host.
	local, err := e.Local().Output(ctx, "sh", "-c", `for f in kernel initrd kernel-modules systemd; do echo "$f=$(readlink -f "$1/$f")"; done`, "parts", sys.Out)
	if err == nil {
		booted, _ := remote.Output(ctx, "sh", "-c", `for f in kernel initrd kernel-modules systemd; do echo "$f=$(readlink -f /run/booted-system/$f)"; done`)
		for _, part := range bootParts {
			if lineValue(local, part) != lineValue(booted, part) {
				p.RebootParts = append(p.RebootParts, part)
			}
		}
	}
	return p
}

func lineValue(out, key string) string {
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(l, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// closure lists a store path's closure and its total size where the path lives.
func closure(ctx context.Context, h *command.Host, path string) ([]string, int64, error) {
	out, err := h.Output(ctx, "sh", "-c", `nix-store -qR "$1" && echo "size=$(nix-store -q --size $(nix-store -qR "$1") | awk '{s+=$1} END {print s}')"`, "closure", path)
	if err != nil {
		return nil, -1, fmt.Errorf("%s: closure of %s: %w", h.Name(), shortPath(path), err)
	}
	var paths []string
	var size int64 = -1
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "size="); ok {
			size, _ = strconv.ParseInt(v, 10, 64)
		} else if l != "" {
			paths = append(paths, l)
		}
	}
	return paths, size, nil
}

// WritePlan renders the plan: a summary table, then each host's package changes.
func WritePlan(w io.Writer, plans []HostPlan) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tRUNNING\tNEW\tCLOSURE\tPACKAGES\tREBOOT")
	for _, p := range plans {
		if p.Err != nil {
			fmt.Fprintf(tw, "%s\terror\t-\t-\t-\t-\n", p.Host)
			continue
		}
		n := map[string]int{}
		for _, c := range p.Changes {
			n[c.Kind()]++
		}
		newCol := shortPath(p.New)
		if p.AlreadyThere {
			newCol = "(unchanged)"
		}
		reboot := "no"
		if len(p.RebootParts) > 0 {
			reboot = "yes (" + strings.Join(p.RebootParts, ",") + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t+%d -%d ~%d\t%s\n", p.Host, shortPath(p.Running), newCol,
			sizeChange(p.RunningSize, p.NewSize), n["added"], n["removed"], n["upgraded"], reboot)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, p := range plans {
		if p.Err != nil {
			fmt.Fprintf(w, "\n%s: %s\n", p.Host, firstLine(p.Err.Error()))
			continue
		}
		if len(p.Changes) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", p.Host)
		if err := WriteChanges(w, p.Changes); err != nil {
			return err
		}
	}
	return nil
}

// WriteChanges renders package changes, one per line.
func WriteChanges(w io.Writer, changes []Change) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	for _, c := range changes {
		sign := map[string]string{"added": "+", "removed": "-", "upgraded": "~"}[c.Kind()]
		fmt.Fprintf(tw, "  %s %s\t%s\n", sign, c.Name, versionChange(c))
	}
	return tw.Flush()
}

func versionChange(c Change) string {
	v := func(vs []string) string {
		s := strings.Join(vs, ", ")
		if s == "" {
			s = "(no version)"
		}
		return s
	}
	switch c.Kind() {
	case "added":
		return v(c.To)
	case "removed":
		return v(c.From)
	}
	return v(c.From) + " -> " + v(c.To)
}

func sizeChange(before, after int64) string {
	if before < 0 || after < 0 {
		return "?"
	}
	d := after - before
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	return fmt.Sprintf("%s (%s%s)", humanize.IBytes(uint64(after)), sign, humanize.IBytes(uint64(d)))
}
