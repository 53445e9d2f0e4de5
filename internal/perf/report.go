package perf

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/monitoring"
	"github.com/nixos-hub/hub/internal/probeout"
	"github.com/nixos-hub/hub/internal/systemdanalyze"
)

// DefaultBaselinesURL is hub-baseline-exporter's metrics on the host itself
// (modules/monitoring/baseline-exporter.nix, monitoring.PortBaseline).
var DefaultBaselinesURL = "http://127.0.0.1:" + strconv.Itoa(monitoring.PortBaseline) + "/metrics"

// Regression is a baseline hub-baseline-exporter flags: its latest value against its window.
type Regression struct {
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
	Mean   float64 `json:"mean"`
	Z      float64 `json:"zscore"`
}

// Report is one host's performance.
type Report struct {
	Host       string                `json:"host"`
	Generation string                `json:"generation,omitempty"` // the system profile's link, e.g. system-42-link
	Boot       *systemdanalyze.Boot  `json:"boot,omitempty"`       // nil without systemd
	BootError  string                `json:"boot_error,omitempty"`
	Slowest    []systemdanalyze.Unit `json:"slowest_units,omitempty"`
	Pressure   map[string]Pressure   `json:"pressure"` // cpu, memory, io
	MemTotal   int64                 `json:"mem_total_bytes"`
	MemAvail   int64                 `json:"mem_available_bytes"`
	SwapTotal  int64                 `json:"swap_total_bytes"`
	SwapFree   int64                 `json:"swap_free_bytes"`
	Regressed  []Regression          `json:"regressed"`
	// BaselinesError says why the baselines could not be read (no exporter, no curl).
	BaselinesError string    `json:"baselines_error,omitempty"`
	Problems       []Problem `json:"problems"`
}

// Problem is one finding with what to do about it.
type Problem struct {
	What string `json:"what"`
	Fix  string `json:"fix"`
}

func (p Problem) String() string { return p.What + ": " + p.Fix }

// Summary is what the problem is, without the fix: a summary line's worth.
func (p Problem) Summary() string { return p.What }

// Options says what Read asks.
type Options struct {
	Slowest      int    // units of systemd-analyze blame to keep (default 5)
	BaselinesURL string // default DefaultBaselinesURL
	Timeout      time.Duration
}

func script(o Options) string {
	url := command.Quote([]string{o.BaselinesURL})
	return `if [ -d /run/systemd/system ]; then
  echo "@@ analyze-time"; systemd-analyze time 2>&1; echo "@@ analyze-exit $?"
  echo "@@ blame"; systemd-analyze blame --no-pager 2>/dev/null | head -n ` + strconv.Itoa(o.Slowest) + `
fi
for r in cpu memory io; do
  if [ -r /proc/pressure/$r ]; then echo "@@ pressure $r"; cat /proc/pressure/$r; fi
done
echo "@@ meminfo"; grep -E '^(MemTotal|MemAvailable|SwapTotal|SwapFree):' /proc/meminfo
echo "@@ generation"; readlink /nix/var/nix/profiles/system
echo "@@ baselines"
if command -v curl >/dev/null 2>&1; then curl -fsS --max-time 5 ` + url + ` 2>&1
elif command -v wget >/dev/null 2>&1; then wget -q -O- -T 5 ` + url + ` 2>&1
else echo "neither curl nor wget on the host"; false; fi
echo "@@ baselines-exit $?"
`
}

// Read probes the host over h in one ssh round trip.
func Read(ctx context.Context, h *command.Host, name string, o Options) (Report, error) {
	if o.Slowest <= 0 {
		o.Slowest = 5
	}
	if o.BaselinesURL == "" {
		o.BaselinesURL = DefaultBaselinesURL
	}
	res, err := h.Run(ctx, command.Cmd{Args: []string{"sh", "-c", script(o)}, Timeout: o.Timeout})
	if err != nil {
		return Report{Host: name}, fmt.Errorf("host %s: perf probe: %w", name, err)
	}
	r, err := parseProbe(name, string(res.Stdout))
	if err != nil {
		return r, fmt.Errorf("host %s: %w", name, err)
	}
	r.Problems = judge(r)
	return r, nil
}

func parseProbe(name, out string) (Report, error) {
	r := Report{Host: name, Pressure: map[string]Pressure{}, Regressed: []Regression{}, Problems: []Problem{}}
	secs, err := probeout.Split(out)
	if err != nil {
		return r, err
	}
	var timeOut, baselines string
	for _, s := range secs {
		body := strings.Join(s.Body, "\n")
		switch s.Name {
		case "analyze-time":
			timeOut = body
		case "analyze-exit":
			b, err := systemdanalyze.ParseTime(timeOut)
			if err != nil {
				r.BootError = err.Error()
			} else {
				r.Boot = &b
			}
		case "blame":
			u, err := systemdanalyze.ParseBlame(body)
			if err != nil {
				return r, err
			}
			r.Slowest = u
		case "pressure":
			if len(s.Args) == 1 {
				p, err := parsePressure(body)
				if err != nil {
					return r, fmt.Errorf("/proc/pressure/%s: %w", s.Args[0], err)
				}
				r.Pressure[s.Args[0]] = p
			}
		case "meminfo":
			for _, l := range s.Body {
				f := strings.Fields(l)
				if len(f) < 2 {
					continue
				}
				kib, _ := strconv.ParseInt(f[1], 10, 64)
				switch strings.TrimSuffix(f[0], ":") {
				case "MemTotal":
					r.MemTotal = kib * 1024
				case "MemAvailable":
					r.MemAvail = kib * 1024
				case "SwapTotal":
					r.SwapTotal = kib * 1024
				case "SwapFree":
					r.SwapFree = kib * 1024
				}
			}
		case "generation":
			r.Generation = strings.TrimSpace(body)
		case "baselines":
			baselines = body
		case "baselines-exit":
			if len(s.Args) == 1 && s.Args[0] != "0" {
				r.BaselinesError = "baselines: " + lastLine(baselines)
				continue
			}
			reg, err := parseBaselines(baselines)
			if err != nil {
				r.BaselinesError = err.Error()
				continue
			}
			r.Regressed = reg
		}
	}
	return r, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// parseBaselines reads hub-baseline-exporter's metrics (Prometheus text format, parsed with
// Prometheus' own parser) and returns the metrics whose hub_baseline_regression is 1.
func parseBaselines(text string) ([]Regression, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	// The probe's sections lose their last newline, which the text format requires.
	fams, err := p.TextToMetricFamilies(strings.NewReader(strings.TrimRight(text, "\n") + "\n"))
	if err != nil {
		return nil, fmt.Errorf("baselines: %w", err)
	}
	gauge := func(family string) map[string]float64 {
		out := map[string]float64{}
		if f, ok := fams[family]; ok {
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetName() == "metric" {
						out[l.GetValue()] = m.GetGauge().GetValue()
					}
				}
			}
		}
		return out
	}
	if _, ok := fams["hub_baseline_regression"]; !ok {
		if _, ok := fams["hub_baseline_threshold"]; !ok {
			return nil, fmt.Errorf("baselines: no hub_baseline_* metrics: is this hub-baseline-exporter?")
		}
	}
	values, means, zs := gauge("hub_baseline_value"), gauge("hub_baseline_mean"), gauge("hub_baseline_zscore")
	reg := []Regression{}
	for metric, v := range gauge("hub_baseline_regression") {
		if v == 1 {
			reg = append(reg, Regression{Metric: metric, Value: values[metric], Mean: means[metric], Z: zs[metric]})
		}
	}
	sort.Slice(reg, func(i, j int) bool { return reg[i].Metric < reg[j].Metric })
	return reg, nil
}

// Pressure and swap levels that are problems: a tenth of a minute stalled on memory is a
// host that is thrashing; more than half the swap in use leaves no room for the next spike.
const (
	memoryPressureProblem = 10.0 // percent, some avg60
	swapUsedProblem       = 0.5
)

// judge lists what is wrong in a report.
func judge(r Report) []Problem {
	ps := []Problem{}
	if r.BootError != "" {
		ps = append(ps, Problem{r.BootError, "wait for the boot to finish (systemctl list-jobs shows what it waits for)"})
	}
	if p, ok := r.Pressure["memory"]; ok && p.Some.Avg60 >= memoryPressureProblem {
		ps = append(ps, Problem{fmt.Sprintf("memory pressure %.1f%% (some, avg60): tasks stall waiting for memory", p.Some.Avg60),
			"find the consumer (systemd-cgtop -m); hub.features.memory's zram and systemd-oomd are meant to absorb this"})
	}
	if r.SwapTotal > 0 && float64(r.SwapTotal-r.SwapFree)/float64(r.SwapTotal) > swapUsedProblem {
		ps = append(ps, Problem{fmt.Sprintf("swap %.0f%% used", 100*float64(r.SwapTotal-r.SwapFree)/float64(r.SwapTotal)),
			"the host needs more memory than it has: raise hub.features.memory.zramPercent or move a service"})
	}
	for _, g := range r.Regressed {
		fix := "compare with the previous generation (what did the last deploy change? go tool mage deploy:plan)"
		if strings.HasPrefix(g.Metric, "boot_") {
			fix = "systemd-analyze blame and critical-chain on the host show which unit grew; the last deploy changed it"
		}
		ps = append(ps, Problem{fmt.Sprintf("baseline %s regressed: %.3g against a mean of %.3g (z %.1f)", g.Metric, g.Value, g.Mean, g.Z), fix})
	}
	if r.BaselinesError != "" {
		ps = append(ps, Problem{r.BaselinesError, "deploy feature baseline-exporter (on by default) and check systemctl status hub-baseline-exporter"})
	}
	return ps
}

// Fields are the summary columns of a report.
func (r Report) Fields() [][2]string {
	var out [][2]string
	if r.Boot != nil {
		out = append(out, [2]string{"boot", r.Boot.Total.Round(time.Millisecond).String()},
			[2]string{"userspace", r.Boot.Phases["userspace"].Round(time.Millisecond).String()})
	}
	if len(r.Slowest) > 0 {
		out = append(out, [2]string{"slowest", fmt.Sprintf("%s %s", r.Slowest[0].Name, r.Slowest[0].Took.Round(time.Millisecond))})
	}
	if p, ok := r.Pressure["memory"]; ok {
		out = append(out, [2]string{"mem-psi", fmt.Sprintf("%.2f%%", p.Some.Avg60)})
	}
	if r.SwapTotal > 0 {
		out = append(out, [2]string{"swap", fmt.Sprintf("%d/%d MiB", (r.SwapTotal-r.SwapFree)>>20, r.SwapTotal>>20)})
	} else {
		out = append(out, [2]string{"swap", "none"})
	}
	out = append(out, [2]string{"regressed", strconv.Itoa(len(r.Regressed))})
	if r.Generation != "" {
		out = append(out, [2]string{"generation", strings.TrimSuffix(strings.TrimPrefix(r.Generation, "system-"), "-link")})
	}
	return out
}
