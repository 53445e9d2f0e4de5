package deploy

import (
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/nixos-hub/hub/internal/command"
)

// SystemDiff is what changed between two generations of a host's system profile.
type SystemDiff struct {
	Host     string
	From, To Generation
	Changes  []Change // packages, as in deploy:plan
	// FromSize and ToSize are the closures' bytes on the host; -1 unknown.
	FromSize, ToSize     int64
	FromKernel, ToKernel string // the kernel package's version ("6.12.41")
	Units                UnitChanges
}

// UnitChanges are the systemd units (etc/systemd/system of each system) added, removed and
// changed between two systems. A unit changed when its file's content did.
type UnitChanges struct {
	Added, Removed, Changed []string
}

// systemScript describes one system on the host: its kernel's store path and every unit file
// of etc/systemd/system with its content's hash. On NixOS each unit is a link into the store;
// reading through it compares content, which is also right for a unit that moved to another
// store path unchanged.
var systemScript = script("system")

// History compares two generations of the host's system profile: from and to by number, or,
// when 0, the profile's current generation and the one before it.
func History(ctx context.Context, remote *command.Host, from, to int) (SystemDiff, error) {
	gens, err := Generations(ctx, remote)
	if err != nil {
		return SystemDiff{}, err
	}
	d := SystemDiff{Host: remote.Name(), FromSize: -1, ToSize: -1}
	find := func(n int) (Generation, error) {
		i := slices.IndexFunc(gens, func(g Generation) bool { return g.Number == n })
		if i < 0 {
			return Generation{}, fmt.Errorf("%s: no generation %d (see deploy:generations %s)", remote.Name(), n, remote.Name())
		}
		return gens[i], nil
	}
	if to == 0 {
		i := slices.IndexFunc(gens, func(g Generation) bool { return g.Current })
		if i < 0 {
			return d, fmt.Errorf("%s: the system profile names no generation (see deploy:generations %s)", remote.Name(), remote.Name())
		}
		to = gens[i].Number
	}
	if d.To, err = find(to); err != nil {
		return d, err
	}
	if from == 0 {
		i := slices.IndexFunc(gens, func(g Generation) bool { return g.Number == to })
		if i == 0 {
			return d, fmt.Errorf("%s: generation %d is the oldest: nothing to compare it with (-from N)", remote.Name(), to)
		}
		from = gens[i-1].Number
	}
	if d.From, err = find(from); err != nil {
		return d, err
	}
	before, fromSize, err := closure(ctx, remote, d.From.Path)
	if err != nil {
		return d, err
	}
	after, toSize, err := closure(ctx, remote, d.To.Path)
	if err != nil {
		return d, err
	}
	d.Changes, d.FromSize, d.ToSize = DiffClosures(before, after), fromSize, toSize
	fromUnits, fromKernel, err := describeSystem(ctx, remote, d.From.Path)
	if err != nil {
		return d, err
	}
	toUnits, toKernel, err := describeSystem(ctx, remote, d.To.Path)
	if err != nil {
		return d, err
	}
	d.FromKernel, d.ToKernel = fromKernel, toKernel
	d.Units = diffUnits(fromUnits, toUnits)
	return d, nil
}

func describeSystem(ctx context.Context, remote *command.Host, system string) (units map[string]string, kernel string, err error) {
	out, err := remote.Output(ctx, "sh", "-c", systemScript, "system", system)
	if err != nil {
		return nil, "", fmt.Errorf("%s: describe %s: %w", remote.Name(), shortPath(system), err)
	}
	units = map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		f := strings.Split(l, "\t")
		switch {
		case f[0] == "kernel" && len(f) == 2 && f[1] != "":
			// <store>/<hash>-linux-6.12.41/bzImage: the version of the package holding the image.
			kernel = ParsePackage(path.Dir(f[1])).Version
		case f[0] == "unit" && len(f) == 3:
			units[f[1]] = f[2]
		}
	}
	return units, kernel, nil
}

func diffUnits(before, after map[string]string) UnitChanges {
	var c UnitChanges
	for u, h := range after {
		switch old, ok := before[u]; {
		case !ok:
			c.Added = append(c.Added, u)
		case old != h:
			c.Changed = append(c.Changed, u)
		}
	}
	for u := range before {
		if _, ok := after[u]; !ok {
			c.Removed = append(c.Removed, u)
		}
	}
	slices.Sort(c.Added)
	slices.Sort(c.Removed)
	slices.Sort(c.Changed)
	return c
}

// WriteHistory renders a SystemDiff: the two generations, kernel and closure, units, packages.
func WriteHistory(w io.Writer, d SystemDiff) error {
	fmt.Fprintf(w, "%s: generation %d (%s, %s) -> %d (%s, %s)\n", d.Host,
		d.From.Number, d.From.Created.Format("2006-01-02 15:04"), shortPath(d.From.Path),
		d.To.Number, d.To.Created.Format("2006-01-02 15:04"), shortPath(d.To.Path))
	kernel := d.ToKernel
	if d.FromKernel != d.ToKernel {
		kernel = orNone(d.FromKernel) + " -> " + orNone(d.ToKernel)
	} else {
		kernel = orNone(kernel) + " (unchanged)"
	}
	fmt.Fprintf(w, "kernel:  %s\nclosure: %s\n", kernel, sizeChange(d.FromSize, d.ToSize))
	u := d.Units
	fmt.Fprintf(w, "units:   %d added, %d removed, %d changed\n", len(u.Added), len(u.Removed), len(u.Changed))
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	for _, l := range []struct {
		sign  string
		units []string
	}{{"+", u.Added}, {"-", u.Removed}, {"~", u.Changed}} {
		for _, name := range l.units {
			fmt.Fprintf(tw, "  %s %s\n", l.sign, name)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	n := map[string]int{}
	for _, c := range d.Changes {
		n[c.Kind()]++
	}
	fmt.Fprintf(w, "packages: %d added, %d removed, %d upgraded\n", n["added"], n["removed"], n["upgraded"])
	return WriteChanges(w, d.Changes)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
