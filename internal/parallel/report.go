package parallel

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nixos-hub/hub/internal/durablefile"
)

// Report is the outcome of a Run, one HostResult per host sorted by host name.
type Report struct {
	Name     string
	RunDir   string // empty when no log files were kept
	Started  time.Time
	Duration time.Duration
	Hosts    []HostResult
}

// HostResult is the outcome of one host.
type HostResult struct {
	Host   string
	Status Status
	// Phase is the last phase the job entered.
	Phase string
	// FailedPhase is Phase when the status is a failure, empty otherwise.
	FailedPhase string
	// Phases is the time spent in each phase (Task.Phase), in the order first entered.
	Phases   []PhaseTime
	Duration time.Duration
	// Err is what the job returned (with the cancellation cause for cancelled hosts, the
	// cause alone for hosts that never started); nil for StatusOK.
	Err error
	// Fields are the extra columns the job set with Task.Set.
	Fields map[string]string
}

// Failed counts the hosts whose status is a failure (failed, cancelled, not-run); a target
// exits non-zero when it is not 0.
func (r *Report) Failed() int {
	n := 0
	for _, h := range r.Hosts {
		if h.Status.Failed() {
			n++
		}
	}
	return n
}

// Err joins the errors of the failed hosts, each wrapped with its host and phase, or returns nil
// when no host failed.
func (r *Report) Err() error {
	var errs []error
	for _, h := range r.Hosts {
		if !h.Status.Failed() {
			continue
		}
		err := h.Err
		if err == nil {
			err = errors.New(string(h.Status))
		}
		if h.FailedPhase != "" {
			err = fmt.Errorf("phase %s: %w", h.FailedPhase, err)
		}
		errs = append(errs, fmt.Errorf("host %s: %w", h.Host, err))
	}
	return errors.Join(errs...)
}

// counts summarises the statuses for the run's last line, most common meaning first.
func (r *Report) counts() string {
	n := map[Status]int{}
	var order []Status
	for _, h := range r.Hosts {
		if n[h.Status] == 0 {
			order = append(order, h.Status)
		}
		n[h.Status]++
	}
	rank := func(s Status) int {
		switch s {
		case StatusOK:
			return 0
		case StatusFailed:
			return 2
		case StatusCancelled:
			return 3
		case StatusNotRun:
			return 4
		}
		return 1
	}
	slices.SortFunc(order, func(a, b Status) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return strings.Compare(string(a), string(b))
	})
	parts := make([]string, len(order))
	for i, s := range order {
		name := string(s)
		if strings.Contains(name, ",") {
			// A custom status like "switched, units failed" would read as two entries.
			name = strconv.Quote(name)
		}
		parts[i] = fmt.Sprintf("%d %s", n[s], name)
	}
	if len(parts) == 0 {
		return "no hosts"
	}
	return strings.Join(parts, ", ")
}

// WriteTable writes the summary: one row per host with its result, failed phase, duration and
// the columns jobs set (sorted by name), then the error of every host that has one.
func (r *Report) WriteTable(w io.Writer) error {
	var keys []string
	for _, h := range r.Hosts {
		for k := range h.Fields {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := []string{"HOST", "RESULT", "FAILED PHASE", "DURATION"}
	for _, k := range keys {
		header = append(header, strings.ToUpper(k))
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, h := range r.Hosts {
		cells := []string{h.Host, string(h.Status), h.FailedPhase, formatDuration(h.Duration)}
		for _, k := range keys {
			cells = append(cells, h.Fields[k])
		}
		for i, c := range cells {
			cells[i] = cell(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("parallel: write summary: %w", err)
	}

	var b strings.Builder
	for _, h := range r.Hosts {
		if h.Err != nil {
			msg := strings.ReplaceAll(h.Err.Error(), "\n", "\n  ")
			fmt.Fprintf(&b, "%s: %s\n", h.Host, msg)
		}
	}
	if b.Len() > 0 {
		if _, err := io.WriteString(w, "\n"+b.String()); err != nil {
			return fmt.Errorf("parallel: write summary: %w", err)
		}
	}
	return nil
}

// cell keeps a value on one tabwriter cell: a tab or newline inside would break the columns.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
}

// jsonReport and jsonHost fix the JSON field names other tools rely on.
type jsonReport struct {
	Name            string     `json:"name"`
	RunDir          string     `json:"run_dir"`
	Started         time.Time  `json:"started"`
	DurationSeconds float64    `json:"duration_seconds"`
	Failed          int        `json:"failed"`
	Hosts           []jsonHost `json:"hosts"`
}

type jsonHost struct {
	Host            string            `json:"host"`
	Status          Status            `json:"status"`
	Phase           string            `json:"phase"`
	FailedPhase     string            `json:"failed_phase"`
	DurationSeconds float64           `json:"duration_seconds"`
	Phases          []jsonPhase       `json:"phases"`
	Error           string            `json:"error"`
	Fields          map[string]string `json:"fields"`
}

type jsonPhase struct {
	Name            string  `json:"name"`
	DurationSeconds float64 `json:"duration_seconds"`
}

// WriteJSON writes the report as indented JSON. Every host carries every field; "error" is ""
// and "fields" is {} when there is none, so consumers need no presence checks.
func (r *Report) WriteJSON(w io.Writer) error {
	out := jsonReport{
		Name:            r.Name,
		RunDir:          r.RunDir,
		Started:         r.Started.UTC(),
		DurationSeconds: seconds(r.Duration),
		Failed:          r.Failed(),
		Hosts:           make([]jsonHost, len(r.Hosts)),
	}
	for i, h := range r.Hosts {
		jh := jsonHost{
			Host:            h.Host,
			Status:          h.Status,
			Phase:           h.Phase,
			FailedPhase:     h.FailedPhase,
			DurationSeconds: seconds(h.Duration),
			Phases:          []jsonPhase{},
			Fields:          h.Fields,
		}
		for _, p := range h.Phases {
			jh.Phases = append(jh.Phases, jsonPhase{Name: p.Name, DurationSeconds: seconds(p.Duration)})
		}
		if jh.Fields == nil {
			jh.Fields = map[string]string{}
		}
		if h.Err != nil {
			jh.Error = h.Err.Error()
		}
		out.Hosts[i] = jh
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("parallel: write JSON report: %w", err)
	}
	return nil
}

// seconds rounds to milliseconds: finer digits are noise in a report.
func seconds(d time.Duration) float64 {
	return math.Round(d.Seconds()*1000) / 1000
}

// writeReportFile writes report.json whole or not at all: deploy:times and ai:explain read it
// back, and take an absent one for a run that ended before its report, a truncated one for an
// error.
func writeReportFile(r *Report, path string) error {
	if err := durablefile.WriteFunc(path, 0o644, r.WriteJSON); err != nil {
		return fmt.Errorf("parallel: %w", err) // durablefile names the file
	}
	return nil
}
