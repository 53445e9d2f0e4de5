package features

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteList prints every feature grouped by category: name, flags, classes, description.
func (r *Registry) WriteList(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CATEGORY\tFEATURE\tDEFAULT\tCLASSES\tDESCRIPTION")
	for _, g := range r.byCategory() {
		for _, n := range g.Names {
			f := r.Features[n]
			def := ""
			if f.Default {
				def = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", g.Category, n, def, strings.Join(f.Classes, ","), f.Description)
		}
	}
	return tw.Flush()
}

// Info is everything features:show reports about one feature.
type Info struct {
	Feature     *Feature
	Requires    []string // direct
	RequiresAll []string // transitive, without the feature itself
	RequiredBy  []string // direct
	Conflicts   []string // declared on either side
	Hosts       []string // hosts on which the feature ends up enabled
}

// Show gathers Info for name across the given hosts.
func (r *Registry) Show(name string, hosts []Host) (Info, error) {
	f, err := r.Feature(name)
	if err != nil {
		return Info{}, err
	}
	info := Info{
		Feature:    f,
		Requires:   slices.Sorted(slices.Values(f.Requires)),
		RequiredBy: r.RequiredBy(name),
		Conflicts:  r.ConflictsOf(name),
	}
	for _, n := range r.Closure(name) {
		if n != name {
			info.RequiresAll = append(info.RequiresAll, n)
		}
	}
	for _, h := range hosts {
		if slices.Contains(r.Resolve(h).Enabled, name) {
			info.Hosts = append(info.Hosts, h.Name)
		}
	}
	return info, nil
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, ", ")
}

// WriteInfo prints Info as aligned key/value lines.
func WriteInfo(w io.Writer, info Info) error {
	f := info.Feature
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "feature:\t%s\n", f.Name)
	fmt.Fprintf(tw, "description:\t%s\n", f.Description)
	fmt.Fprintf(tw, "category:\t%s\n", f.Category)
	fmt.Fprintf(tw, "module:\tmodules/%s\n", f.Module)
	fmt.Fprintf(tw, "classes:\t%s\n", listOrNone(f.Classes))
	fmt.Fprintf(tw, "default:\t%t\n", f.Default)
	fmt.Fprintf(tw, "requires:\t%s\n", listOrNone(info.Requires))
	fmt.Fprintf(tw, "requires (all):\t%s\n", listOrNone(info.RequiresAll))
	fmt.Fprintf(tw, "required by:\t%s\n", listOrNone(info.RequiredBy))
	fmt.Fprintf(tw, "conflicts:\t%s\n", listOrNone(info.Conflicts))
	fmt.Fprintf(tw, "hosts:\t%s\n", listOrNone(info.Hosts))
	return tw.Flush()
}

// WriteResolution prints a host's enabled features with the reasons each is on, then its errors.
func WriteResolution(w io.Writer, host string, res Resolution) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "host %s: %d features\n", host, len(res.Enabled))
	for _, n := range res.Enabled {
		fmt.Fprintf(tw, "  %s\t%s\n", n, strings.Join(res.Reasons[n], "; "))
	}
	for _, e := range res.Errors {
		fmt.Fprintf(tw, "error: %s\n", e)
	}
	return tw.Flush()
}
