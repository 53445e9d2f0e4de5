package targetdocs

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Find returns the target called name (as typed; mage ignores case), or an error naming the
// closest target when there is none.
func Find(ts []Target, name string) (Target, error) {
	want := strings.ToLower(name)
	best, bestD := "", -1
	for _, t := range ts {
		if strings.ToLower(t.Name) == want {
			return t, nil
		}
		if d := distance(strings.ToLower(t.Name), want); bestD < 0 || d < bestD {
			best, bestD = t.Name, d
		}
	}
	if best != "" && bestD <= max(3, len(want)/3) {
		return Target{}, fmt.Errorf("no target %q: did you mean %s? (go tool mage -l lists them all)", name, best)
	}
	return Target{}, fmt.Errorf("no target %q (go tool mage -l lists them all)", name)
}

// Help writes what a person needs to run t: its usage line, its whole doc comment, and every
// argument with its type and, for flags, the default the target uses when it is not given.
func Help(w io.Writer, t Target) error {
	fmt.Fprintf(w, "go tool mage %s %s\n\n", t.Name, t.Args)
	for _, line := range strings.Split(wrap(t.Doc, 96), "\n") {
		fmt.Fprintf(w, "  %s\n", line)
	}
	if len(t.Params) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ARGUMENT\tTYPE\tDEFAULT")
	for _, p := range t.Params {
		def := p.Default
		switch {
		case !strings.HasPrefix(p.Name, "-"):
			def = "(required)"
		case def == "" && p.Type == "bool":
			def = "false" // a flag not given is nil, and the targets read nil as false
		case def == "" || def == `""` || def == "0" && p.Type != "int":
			def = "not set (see above)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.Name, p.Type, def)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\n  Positional arguments come first, then flags as -name=value (a boolean: -name, or -name=false).")
	return nil
}

// wrap breaks s into lines of at most width runes at spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		if i > 0 {
			if n+1+len(word) > width {
				b.WriteString("\n")
				n = 0
			} else {
				b.WriteString(" ")
				n++
			}
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
