// Package deploytimes reads how long each phase of past deploys took on each host (eval, build,
// copy, activate, health, ...) from the reports the deploys left in their run directories
// (.hub/runs/<time>-deploy-<action>/report.json, written by internal/parallel), and renders them per
// host across runs with a timing summary. The run directories are the history: nothing else
// is kept, and pruning them forgets their times.
//
// Entry points: [Load] reads the runs and [Write] renders them.
package deploytimes

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Run is one past deploy.
type Run struct {
	Dir     string    `json:"run_dir"`
	Name    string    `json:"name"` // deploy-switch, deploy-boot, ...
	Started time.Time `json:"started"`
	Hosts   []Host    `json:"hosts"`
}

// Host is one host's part of a run.
type Host struct {
	Host   string  `json:"host"`
	Status string  `json:"status"`
	Total  float64 `json:"duration_seconds"`
	Phases []Phase `json:"phases"`
}

// Phase is the time a host spent in one phase.
type Phase struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"duration_seconds"`
}

// Load reads the deploy runs under runsDir, newest first, keeping the hosts named in hosts
// (all when nil) and at most last runs that have one of them (0: all). A report that cannot be
// read (a run killed while writing it) is left out with a line in skipped naming the file and
// why, so one broken run does not hide the others.
func Load(runsDir string, hosts []string, last int) (runs []Run, skipped []string, err error) {
	dirs, err := filepath.Glob(filepath.Join(runsDir, "*-deploy-*"))
	if err != nil {
		return nil, nil, err
	}
	// The directory names start with a UTC timestamp: newest last in lexical order.
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, dir := range dirs {
		file := filepath.Join(dir, "report.json")
		b, err := os.ReadFile(file)
		if errors.Is(err, os.ErrNotExist) {
			continue // a run still going, or one that ended before it wrote its report
		}
		var r Run
		if err == nil {
			err = json.Unmarshal(b, &r)
		}
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %v", file, err))
			continue
		}
		if !strings.HasPrefix(r.Name, "deploy-") {
			continue
		}
		r.Dir = dir
		r.Hosts = slices.DeleteFunc(r.Hosts, func(h Host) bool { return hosts != nil && !slices.Contains(hosts, h.Host) })
		if len(r.Hosts) == 0 {
			continue
		}
		runs = append(runs, r)
		if last > 0 && len(runs) == last {
			break
		}
	}
	return runs, skipped, nil
}

// phaseNames are the phases the runs have, in the order they first appear.
func phaseNames(runs []Run) []string {
	var names []string
	for _, r := range runs {
		for _, h := range r.Hosts {
			for _, p := range h.Phases {
				if !slices.Contains(names, p.Name) {
					names = append(names, p.Name)
				}
			}
		}
	}
	return names
}

// Write renders, per host, one row per run (newest first) with the time of each phase and the
// total, then the summary: per host and phase the median, slowest and latest time over the
// runs shown. A run from before phases were recorded shows only its total.
func Write(w io.Writer, runs []Run) error {
	if len(runs) == 0 {
		_, err := fmt.Fprintln(w, "no deploy runs with report.json under the runs directory yet")
		return err
	}
	phases := phaseNames(runs)
	byHost := map[string][]struct {
		run Run
		h   Host
	}{}
	var hosts []string
	for _, r := range runs {
		for _, h := range r.Hosts {
			if _, ok := byHost[h.Host]; !ok {
				hosts = append(hosts, h.Host)
			}
			byHost[h.Host] = append(byHost[h.Host], struct {
				run Run
				h   Host
			}{r, h})
		}
	}
	sort.Strings(hosts)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"HOST", "STARTED", "ACTION", "STATUS"}
	for _, p := range phases {
		head = append(head, strings.ToUpper(p))
	}
	fmt.Fprintln(tw, strings.Join(append(head, "TOTAL"), "\t"))
	for _, host := range hosts {
		for _, e := range byHost[host] {
			row := []string{host, e.run.Started.UTC().Format("2006-01-02 15:04"), strings.TrimPrefix(e.run.Name, "deploy-"), e.h.Status}
			for _, p := range phases {
				row = append(row, secs(e.h.phase(p)))
			}
			fmt.Fprintln(tw, strings.Join(append(row, secs(e.h.Total)), "\t"))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nsummary over %d runs (median / slowest / latest):\n", len(runs))
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(append(append([]string{"HOST", "RUNS"}, upper(phases)...), "TOTAL"), "\t"))
	for _, host := range hosts {
		es := byHost[host]
		row := []string{host, fmt.Sprint(len(es))}
		for _, p := range append(slices.Clone(phases), "") {
			var xs []float64
			for _, e := range es {
				v := e.h.Total
				if p != "" {
					v = e.h.phase(p)
				}
				if v >= 0 {
					xs = append(xs, v)
				}
			}
			row = append(row, summary(xs))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// phase is h's time in phase p, or -1 when h did not reach it.
func (h Host) phase(p string) float64 {
	for _, x := range h.Phases {
		if x.Name == p {
			return x.Seconds
		}
	}
	return -1
}

// summary is "median / max / latest" of xs (latest first), or "-".
func summary(xs []float64) string {
	if len(xs) == 0 {
		return "-"
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return secs(med) + " / " + secs(s[len(s)-1]) + " / " + secs(xs[0])
}

func secs(v float64) string {
	if v < 0 {
		return "-"
	}
	return (time.Duration(v * float64(time.Second))).Round(100 * time.Millisecond).String()
}

func upper(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToUpper(s)
	}
	return out
}
