// Package systemdanalyze reads systemd-analyze's text output (time, blame) and systemd's time
// spans. It depends on nothing else of the hub, so hub-baseline-exporter (boot baselines) and
// perf:report share it without the exporter linking the ssh tooling.
//
// Entry points: [ParseTime] and [ParseBlame].
package systemdanalyze

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Phases of a boot, in systemd-analyze's order.
var Phases = []string{"firmware", "loader", "kernel", "initrd", "userspace"}

// Boot is one boot's `systemd-analyze time`.
type Boot struct {
	Phases map[string]time.Duration `json:"phases"` // only the phases the boot had
	Total  time.Duration            `json:"total"`  // the sum; userspace alone in a container
	Target string                   `json:"target,omitempty"`
	// TargetAfter is when Target was reached, counted from the start of userspace.
	TargetAfter time.Duration `json:"target_after,omitempty"`
}

// ParseTime reads `systemd-analyze time` (systemd's analyze-time-data.c: "Startup
// finished in A (firmware) + B (loader) + C (kernel) + D (initrd) + E (userspace) = T", the
// phases it has, "= T" only when the kernel phase is known, then "<target> reached after X in
// userspace").
func ParseTime(out string) (Boot, error) {
	b := Boot{Phases: map[string]time.Duration{}}
	text := strings.Join(strings.Fields(out), " ")
	rest, ok := strings.CutPrefix(text, "Startup finished in ")
	if !ok {
		if strings.Contains(text, "not yet finished") {
			return b, fmt.Errorf("systemd-analyze time: the boot is not finished yet")
		}
		return b, fmt.Errorf("systemd-analyze time: unexpected output %q", firstLine(out))
	}
	// "... <target> reached after X in userspace." follows the phases (and the total).
	if i := strings.Index(rest, " reached after "); i >= 0 {
		j := strings.LastIndex(rest[:i], " ")
		target := rest[j+1:]
		rest = strings.TrimSpace(rest[:max(j, 0)])
		name, after, _ := strings.Cut(target, " reached after ")
		after = strings.TrimSuffix(strings.TrimSuffix(after, "."), " in userspace")
		d, err := parseTimespan(after)
		if err != nil {
			return b, fmt.Errorf("systemd-analyze time: %s: %w", name, err)
		}
		b.Target, b.TargetAfter = name, d
	}
	phases, total, hasTotal := strings.Cut(rest, "=")
	for _, part := range strings.Split(phases, " + ") {
		part = strings.TrimSpace(part)
		open := strings.LastIndex(part, " (")
		if open < 0 || !strings.HasSuffix(part, ")") {
			return b, fmt.Errorf("systemd-analyze time: phase %q", part)
		}
		d, err := parseTimespan(part[:open])
		if err != nil {
			return b, fmt.Errorf("systemd-analyze time: %w", err)
		}
		b.Phases[part[open+2:len(part)-1]] = d
	}
	if hasTotal {
		d, err := parseTimespan(total)
		if err != nil {
			return b, fmt.Errorf("systemd-analyze time: total: %w", err)
		}
		b.Total = d
	} else {
		for _, d := range b.Phases {
			b.Total += d
		}
	}
	return b, nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

// parseTimespan reads systemd's format_timespan output: space-separated parts such as
// "1min 2.345s", "345ms", "1h 2min", "123us", "1d 2h".
func parseTimespan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty time span")
	}
	units := []struct {
		suffix string
		d      time.Duration
	}{
		{"month", 2629800 * time.Second}, {"min", time.Minute}, {"ms", time.Millisecond}, {"us", time.Microsecond},
		{"y", 31557600 * time.Second}, {"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}, {"h", time.Hour}, {"s", time.Second},
	}
	var total time.Duration
	for _, part := range strings.Fields(s) {
		ok := false
		for _, u := range units {
			if num, found := strings.CutSuffix(part, u.suffix); found && num != "" {
				f, err := strconv.ParseFloat(num, 64)
				if err != nil {
					return 0, fmt.Errorf("time span %q: %w", s, err)
				}
				total += time.Duration(f * float64(u.d))
				ok = true
				break
			}
		}
		if !ok {
			return 0, fmt.Errorf("time span %q: unknown part %q", s, part)
		}
	}
	return total, nil
}

// Unit is one line of `systemd-analyze blame`.
type Unit struct {
	Name string        `json:"name"`
	Took time.Duration `json:"took"`
}

// ParseBlame reads `systemd-analyze blame`: "<time span> <unit>" per line, slowest first.
func ParseBlame(out string) ([]Unit, error) {
	var units []Unit
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		d, err := parseTimespan(strings.Join(f[:len(f)-1], " "))
		if err != nil {
			return units, fmt.Errorf("systemd-analyze blame: %w", err)
		}
		units = append(units, Unit{Name: f[len(f)-1], Took: d})
	}
	return units, nil
}
