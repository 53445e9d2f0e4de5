package features

import (
	"fmt"
	"io"
	"strings"
)

// Graph formats accepted by WriteGraph.
const (
	FormatDOT     = "dot"
	FormatMermaid = "mermaid"
)

// WriteGraph renders the registry's requires edges (solid) and conflicts (dashed, undirected),
// with features grouped by category, as Graphviz DOT or Mermaid.
func (r *Registry) WriteGraph(w io.Writer, format string) error {
	var b strings.Builder
	switch format {
	case FormatDOT:
		r.dot(&b)
	case FormatMermaid:
		r.mermaid(&b)
	default:
		return fmt.Errorf("features graph: unknown format %q (want %q or %q)", format, FormatDOT, FormatMermaid)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// byCategory groups feature names by category in Categories() order; empty categories are left out.
type categoryGroup struct {
	Category string
	Names    []string
}

func (r *Registry) byCategory() []categoryGroup {
	var out []categoryGroup
	for _, c := range Categories() {
		var names []string
		for _, n := range r.Names() {
			if r.Features[n].Category == c {
				names = append(names, n)
			}
		}
		if len(names) > 0 {
			out = append(out, categoryGroup{c, names})
		}
	}
	return out
}

func (r *Registry) conflictPairs() [][2]string {
	var out [][2]string
	names := r.Names()
	for i, a := range names {
		for _, b := range names[i+1:] {
			if r.Conflicting(a, b) {
				out = append(out, [2]string{a, b})
			}
		}
	}
	return out
}

func (r *Registry) dot(b *strings.Builder) {
	b.WriteString("digraph features {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n")
	for _, g := range r.byCategory() {
		fmt.Fprintf(b, "  subgraph \"cluster_%s\" {\n    label=\"%s\";\n", g.Category, g.Category)
		for _, n := range g.Names {
			style := ""
			if r.Features[n].Default {
				style = " [style=\"rounded,bold\"]"
			}
			fmt.Fprintf(b, "    \"%s\"%s;\n", n, style)
		}
		b.WriteString("  }\n")
	}
	for _, n := range r.Names() {
		for _, req := range r.Features[n].Requires {
			fmt.Fprintf(b, "  \"%s\" -> \"%s\";\n", n, req)
		}
	}
	for _, p := range r.conflictPairs() {
		fmt.Fprintf(b, "  \"%s\" -> \"%s\" [style=dashed, color=red, dir=none, label=\"conflicts\"];\n", p[0], p[1])
	}
	b.WriteString("}\n")
}

// mermaidID makes a node id Mermaid accepts: hyphens would be read as part of an edge.
func mermaidID(name string) string { return "f_" + strings.ReplaceAll(name, "-", "_") }

func (r *Registry) mermaid(b *strings.Builder) {
	b.WriteString("flowchart LR\n")
	for _, g := range r.byCategory() {
		fmt.Fprintf(b, "  subgraph c_%s[\"%s\"]\n", g.Category, g.Category)
		for _, n := range g.Names {
			fmt.Fprintf(b, "    %s[\"%s\"]\n", mermaidID(n), n)
		}
		b.WriteString("  end\n")
	}
	for _, n := range r.Names() {
		for _, req := range r.Features[n].Requires {
			fmt.Fprintf(b, "  %s --> %s\n", mermaidID(n), mermaidID(req))
		}
	}
	for _, p := range r.conflictPairs() {
		fmt.Fprintf(b, "  %s -. conflicts .- %s\n", mermaidID(p[0]), mermaidID(p[1]))
	}
}
