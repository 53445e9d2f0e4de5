package perf

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nixos-hub/hub/internal/baseline"
	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/systemdanalyze"
)

// DefaultBootsLog is where hub-baseline-exporter keeps its boot records (baseline.BootRecord) on a host.
const DefaultBootsLog = "/var/lib/hub-baseline-exporter/boots.jsonl"

// Generation is one system generation's boots.
type Generation struct {
	Number int                `json:"generation"`
	System string             `json:"system"`
	Boots  int                `json:"boots"`
	Median map[string]float64 `json:"median_seconds"` // per phase and "total", over its boots
}

// Comparison is perf:compare's answer.
type Comparison struct {
	Host string       `json:"host"`
	A, B Generation   `json:"-"`
	Gens []Generation `json:"generations"`
	// Closure is `nix store diff-closures A B`: what the second generation changed.
	Closure []string `json:"closure_diff"`
}

// Compare reads the host's two system generations, the boots recorded for each and the
// difference of their closures, in one ssh round trip.
func Compare(ctx context.Context, h *command.Host, name string, a, b int, bootsLog string, timeout time.Duration) (Comparison, error) {
	c := Comparison{Host: name}
	if bootsLog == "" {
		bootsLog = DefaultBootsLog
	}
	link := func(g int) string { return fmt.Sprintf("/nix/var/nix/profiles/system-%d-link", g) }
	sh := fmt.Sprintf(`for g in %d %d; do echo "@@ gen $g"; l=/nix/var/nix/profiles/system-$g-link; if [ -e "$l" ]; then readlink -f "$l"; else echo missing; fi; done
echo "@@ boots"; cat %s 2>/dev/null
if [ -e %s ] && [ -e %s ]; then echo "@@ diff"; nix %s store diff-closures %s %s 2>&1; echo "@@ diff-exit $?"; fi
`, a, b, command.Quote([]string{bootsLog}), link(a), link(b), command.Quote(nix.Real().Args()), link(a), link(b))
	res, err := h.Run(ctx, command.Cmd{Args: []string{"sh", "-c", sh}, Timeout: timeout})
	if err != nil {
		return c, fmt.Errorf("host %s: perf compare: %w", name, err)
	}
	systems := map[int]string{}
	var records []baseline.BootRecord
	var diff []string
	section, arg := "", ""
	sc := bufio.NewScanner(strings.NewReader(string(res.Stdout)))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "@@ "); ok {
			section, arg, _ = strings.Cut(rest, " ")
			if section == "diff-exit" && arg != "0" {
				return c, fmt.Errorf("host %s: nix store diff-closures %s %s: exit status %s: %s", name, link(a), link(b), arg, strings.Join(diff, " "))
			}
			continue
		}
		switch section {
		case "gen":
			g, _ := strconv.Atoi(arg)
			if line == "missing" || line == "" {
				return c, fmt.Errorf("host %s: no generation %d (%s): nix-env -p /nix/var/nix/profiles/system --list-generations lists them", name, g, link(g))
			}
			systems[g] = strings.TrimSpace(line)
		case "boots":
			if strings.TrimSpace(line) == "" {
				continue
			}
			var r baseline.BootRecord
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				return c, fmt.Errorf("host %s: %s: %w", name, bootsLog, err)
			}
			records = append(records, r)
		case "diff":
			if strings.TrimSpace(line) != "" {
				diff = append(diff, line)
			}
		}
	}
	gen := func(n int) Generation {
		g := Generation{Number: n, System: systems[n], Median: map[string]float64{}}
		byPhase := map[string][]float64{}
		for _, r := range records {
			if r.System != g.System {
				continue
			}
			g.Boots++
			for p, v := range r.Seconds {
				byPhase[p] = append(byPhase[p], v)
			}
		}
		for p, vs := range byPhase {
			g.Median[p] = median(vs)
		}
		return g
	}
	c.A, c.B, c.Closure = gen(a), gen(b), diff
	c.Gens = []Generation{c.A, c.B}
	return c, nil
}

func median(vs []float64) float64 {
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// WriteComparison prints the phases side by side (median over each generation's boots), then
// the closure difference.
func WriteComparison(w io.Writer, c Comparison) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "PHASE\tGEN %d (%d boots)\tGEN %d (%d boots)\tCHANGE\n", c.A.Number, c.A.Boots, c.B.Number, c.B.Boots)
	for _, p := range append(append([]string(nil), systemdanalyze.Phases...), "total") {
		va, oka := c.A.Median[p]
		vb, okb := c.B.Median[p]
		if !oka && !okb {
			continue
		}
		cell := func(v float64, ok bool) string {
			if !ok {
				return "-"
			}
			return fmt.Sprintf("%.3fs", v)
		}
		change := "-"
		if oka && okb {
			change = fmt.Sprintf("%+.3fs", vb-va)
			if va > 0 {
				change += fmt.Sprintf(" (%+.0f%%)", 100*(vb-va)/va)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p, cell(va, oka), cell(vb, okb), change)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if c.A.Boots == 0 || c.B.Boots == 0 {
		fmt.Fprintln(w, "\nno boots recorded for a generation: hub-baseline-exporter records each boot once it finishes (boots.jsonl); reboot into it to measure it")
	}
	fmt.Fprintf(w, "\nclosure: nix store diff-closures system-%d-link system-%d-link\n", c.A.Number, c.B.Number)
	if len(c.Closure) == 0 {
		fmt.Fprintln(w, "  (no package changed)")
	}
	for _, l := range c.Closure {
		fmt.Fprintln(w, "  "+l)
	}
	return nil
}
