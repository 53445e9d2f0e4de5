package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// SetStatus is the freshness of one set of one host.
type SetStatus struct {
	Host, Set string
	Last      *Snapshot     // the newest snapshot; nil when there is none
	Age       time.Duration // since Last
	MaxAge    time.Duration
	Snapshots int
	Missing   []Snapshot // seen before, gone, and kept by the set's retention: deleted outside it
	Err       error      // the repository could not be read
}

// clockSkew is how far in the future the newest snapshot may be dated (host clocks drift) before
// status calls it wrong. A snapshot dated further ahead stays the newest until that date and its
// negative age would read as fresh, hiding every backup missed meanwhile.
const clockSkew = 10 * time.Minute

// The states of a set, each with the exit code backup:status ends with when it is the worst
// state it found: a script or a monitor can tell "run a backup" from "mount the disk" from "the
// repository cannot be read" without parsing the table. 1 stays mage's own failure (a bad
// selection, an unknown set).
const (
	stateOK         = "ok"         // exit 0
	stateStale      = "stale"      // exit 2: the newest snapshot is older than max_age
	stateFuture     = "future"     // exit 3: dated ahead of now (a wrong host clock)
	stateNever      = "never"      // exit 4: no snapshot of this host and set
	stateLocked     = "locked"     // exit 5: another restic's lock (backup:unlock for a stale one)
	stateNoDisk     = "no-disk"    // exit 6: the set's backup disk is not mounted
	stateUnreadable = "unreadable" // exit 7: no repository, wrong password, host or backend unreachable
	stateMissing    = "missing"    // exit 8: a snapshot the retention keeps is gone (seen.go)
)

// exitCodes orders the states by severity: the highest code found is the exit code.
var exitCodes = map[string]int{stateOK: 0, stateStale: 2, stateFuture: 3, stateNever: 4, stateLocked: 5, stateNoDisk: 6, stateUnreadable: 7, stateMissing: 8}

// exitCode is the exit code of a state.
func exitCode(state string) int { return exitCodes[state] }

// state is the status column.
func (s SetStatus) state() string {
	switch {
	case errors.Is(s.Err, errNotMounted):
		return stateNoDisk
	case errors.Is(s.Err, errLocked):
		return stateLocked
	case s.Err != nil:
		return stateUnreadable
	case len(s.Missing) > 0:
		return stateMissing
	case s.Last == nil:
		return stateNever
	case s.Age < -clockSkew:
		return stateFuture
	case s.Age > s.MaxAge:
		return stateStale
	default:
		return stateOK
	}
}

// judgeSet computes a set's status from its snapshots at now.
func judgeSet(host, set string, maxAge time.Duration, snaps []Snapshot, now time.Time) SetStatus {
	st := SetStatus{Host: host, Set: set, MaxAge: maxAge, Snapshots: len(snaps)}
	for i := range snaps {
		if st.Last == nil || snaps[i].Time.After(st.Last.Time) {
			st.Last = &snaps[i]
		}
	}
	if st.Last != nil {
		st.Age = now.Sub(st.Last.Time)
	}
	return st
}

// Status reads the set's snapshots and judges them at now, comparing them with the snapshots
// status saw before (seen.go); accept takes what is there now as the record, missing ones
// dropped (after a deliberate forget).
func (j Job) Status(ctx context.Context, now time.Time, accept bool) SetStatus {
	snaps, err := j.Snapshots(ctx)
	st := judgeSet(j.HostName, j.Set.Name, j.Set.MaxAge, snaps, now)
	st.Err = err
	if err == nil {
		st.Missing, st.Err = j.recordSeen(ctx, snaps, accept)
	}
	return st
}

// WriteStatus prints the status table, one row per host and set.
func WriteStatus(w io.Writer, rows []SetStatus) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tSET\tSTATE\tLAST\tAGE\tMAX AGE\tSNAPSHOTS\tSNAPSHOT")
	for _, r := range rows {
		last, age, id := "-", "-", "-"
		if r.Last != nil {
			last = r.Last.Time.UTC().Format("2006-01-02 15:04 UTC")
			age = formatAge(r.Age)
			id = r.Last.ShortID
		}
		if r.Err != nil {
			id = firstLine(r.Err.Error())
		}
		if len(r.Missing) > 0 {
			id += "; missing " + missingList(r.Missing)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.Host, r.Set, r.state(), last, age, formatAge(r.MaxAge), r.Snapshots, id)
	}
	return tw.Flush()
}

// missingList names missing snapshots with their times: "abcd1234 (2026-03-01 10:00 UTC), ...".
func missingList(snaps []Snapshot) string {
	parts := make([]string, len(snaps))
	for i, m := range snaps {
		parts[i] = fmt.Sprintf("%s (%s)", m.ShortID, m.Time.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return strings.Join(parts, ", ")
}

// statusJSON is one row of WriteStatusJSON.
type statusJSON struct {
	Host      string     `json:"host"`
	Set       string     `json:"set"`
	State     string     `json:"state"`
	ExitCode  int        `json:"exit_code"`
	Last      *time.Time `json:"last,omitempty"`
	Snapshot  string     `json:"snapshot,omitempty"`
	AgeSec    *int64     `json:"age_seconds,omitempty"`
	MaxAgeSec int64      `json:"max_age_seconds"`
	Snapshots int        `json:"snapshots"`
	Missing   []string   `json:"missing,omitempty"`
	Error     string     `json:"error,omitempty"`
}

// WriteStatusJSON prints the rows as one JSON array, for scripts and monitors: each set's state
// and its exit code, so a reader need not parse the table.
func WriteStatusJSON(w io.Writer, rows []SetStatus) error {
	out := make([]statusJSON, 0, len(rows))
	for _, r := range rows {
		st := r.state()
		j := statusJSON{Host: r.Host, Set: r.Set, State: st, ExitCode: exitCode(st), MaxAgeSec: int64(r.MaxAge / time.Second), Snapshots: r.Snapshots}
		if r.Last != nil {
			t, age := r.Last.Time.UTC(), int64(r.Age/time.Second)
			j.Last, j.Snapshot, j.AgeSec = &t, r.Last.ShortID, &age
		}
		if r.Err != nil {
			j.Error = firstLine(r.Err.Error())
		}
		for _, m := range r.Missing {
			j.Missing = append(j.Missing, m.ID)
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// statusError names the sets that need attention; its exit code is the worst state's.
type statusError struct {
	Code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

// exitStatus is the exit code mage ends with for this error.
func (e *statusError) exitStatus() int { return e.Code }

// StaleError names the sets that need attention, or is nil; it is a *statusError.
func StaleError(rows []SetStatus) error {
	var bad []string
	code := 0
	for _, r := range rows {
		if st := r.state(); st != stateOK {
			bad = append(bad, fmt.Sprintf("%s/%s (%s)", r.Host, r.Set, st))
			code = max(code, exitCode(st))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &statusError{Code: code, msg: fmt.Sprintf("%d of %d backup sets need attention: %s", len(bad), len(rows), strings.Join(bad, ", "))}
}

// formatAge renders a duration in the largest sensible units: 3d4h, 5h12m, 42m, 17s.
func formatAge(d time.Duration) string {
	switch {
	case d < 0:
		return "in the future"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	default:
		return fmt.Sprintf("%dd%02dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	}
}
