package ai

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteAttempts writes one row per attempt: which provider, how it ended, how long it took and
// how long the client waited after it.
func WriteAttempts(w io.Writer, attempts []Attempt) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tMODEL\tTRY\tOUTCOME\tHTTP\tTOOK\tWAITED\tERROR")
	for _, a := range attempts {
		status := "-"
		if a.Status != 0 {
			status = strconv.Itoa(a.Status)
		}
		wait := "-"
		if a.Wait > 0 {
			wait = round(a.Wait)
		}
		took := "-" // no call was made (no key)
		if a.Duration > 0 {
			took = round(a.Duration)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", a.Provider, a.Model, a.N, a.Outcome, status, took, wait, cell(a.Err))
	}
	return tw.Flush()
}

// WriteStatus writes ai:providers' table: each provider in fallback order, where its key
// comes from (never the key), whether it answered and how fast.
func WriteStatus(w io.Writer, st []Status) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ORDER\tPROVIDER\tKIND\tMODEL\tENDPOINT\tKEY\tREACHABLE\tLATENCY\tERROR")
	for i, s := range st {
		reach, lat := "no", "-"
		if s.Reachable {
			reach = "yes"
		}
		if s.Latency > 0 {
			lat = round(s.Latency)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, s.Name, s.Kind, s.Model, s.URL, s.Key, reach, lat, cell(s.Err))
	}
	return tw.Flush()
}

// WriteSummary writes the one line a target ends with: who answered, tokens and cost of the
// call, and the run's total when it made more than one call.
func WriteSummary(w io.Writer, res *Result, total Total) error {
	var b strings.Builder
	if res != nil && res.Response != nil {
		r := res.Response
		fmt.Fprintf(&b, "answered by %s (%s) after %d attempt(s): %d tokens in, %d out, %s",
			r.Provider, r.Model, len(res.Attempts), r.Usage.InputTokens, r.Usage.OutputTokens, money(res.Cost, res.Priced))
	} else {
		b.WriteString("no answer")
	}
	if total.Calls > 1 {
		fmt.Fprintf(&b, "; run: %d calls, %d tokens in, %d out, %s", total.Calls, total.Usage.InputTokens, total.Usage.OutputTokens,
			money(total.Cost, total.Unpriced == 0))
	}
	_, err := fmt.Fprintln(w, b.String())
	return err
}

func money(usd float64, priced bool) string {
	s := fmt.Sprintf("$%.4f", usd)
	if !priced {
		s += " (no price in the configuration for some model)"
	}
	return s
}

// jsonAttempt adds the durations in seconds, as the hub's other -json reports have them.
type jsonAttempt struct {
	Attempt
	Seconds     float64 `json:"duration_seconds"`
	WaitSeconds float64 `json:"wait_seconds"`
}

type jsonStatus struct {
	Status
	LatencySeconds float64 `json:"latency_seconds"`
}

// Report is what a target's -json writes: the answer, every attempt and the run's total.
type Report struct {
	Target   string    `json:"target"`
	Response *Response `json:"response"`
	Cost     float64   `json:"cost_usd"`
	Priced   bool      `json:"priced"`
	Attempts []Attempt `json:"attempts"`
	Total    Total     `json:"total"`
	Error    string    `json:"error"`
	// Extra carries a target's own findings (ai:tune's diff file, ai:explain's run).
	Extra map[string]string `json:"extra"`
}

// WriteJSON writes rep indented, redacted by r (which may be nil).
func WriteJSON(w io.Writer, r *Redactor, rep Report) error {
	type out struct {
		Report
		Attempts []jsonAttempt `json:"attempts"`
	}
	o := out{Report: rep, Attempts: []jsonAttempt{}}
	if o.Extra == nil {
		o.Extra = map[string]string{}
	}
	for _, a := range rep.Attempts {
		o.Attempts = append(o.Attempts, jsonAttempt{Attempt: a, Seconds: secs(a.Duration), WaitSeconds: secs(a.Wait)})
	}
	return writeRedacted(w, r, o)
}

// WriteStatusJSON writes ai:providers' -json.
func WriteStatusJSON(w io.Writer, r *Redactor, st []Status) error {
	o := []jsonStatus{}
	for _, s := range st {
		o = append(o, jsonStatus{Status: s, LatencySeconds: secs(s.Latency)})
	}
	return writeRedacted(w, r, o)
}

func writeRedacted(w io.Writer, r *Redactor, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("ai: write JSON: %w", err)
	}
	_, err = io.WriteString(w, r.Redact(string(b))+"\n")
	return err
}

func secs(d time.Duration) float64 { return float64(d.Milliseconds()) / 1000 }

func round(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(time.Millisecond).String()
	}
	return d.String()
}

func cell(s string) string {
	if s == "" {
		return "-"
	}
	return oneLine(s, 160)
}
