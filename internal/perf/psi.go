// Package perf reads a host's performance the way perf:report shows it: boot phases and the
// slowest units (systemd-analyze, parsed by internal/systemdanalyze), memory pressure (PSI), swap
// use, and the baselines hub-baseline-exporter flags as regressed; and compares generations
// (perf:compare). The parsers read the tools' and the kernel's own text formats (recorded
// samples in testdata/); Read and Compare probe a host over ssh.
//
// Entry points: [Read] probes one host into a [Report]; [Compare] and [WriteComparison] are
// perf:compare.
package perf

import (
	"fmt"
	"strconv"
	"strings"
)

// Pressure is one /proc/pressure/<resource> file: the share of time some (or all, "full")
// non-idle tasks were stalled, averaged over 10, 60 and 300 seconds, in percent.
type Pressure struct {
	Some PressureLine  `json:"some"`
	Full *PressureLine `json:"full,omitempty"` // absent for cpu before Linux 5.13
}

// PressureLine is one line of a PSI file.
type PressureLine struct {
	Avg10, Avg60, Avg300 float64
	Total                uint64 // microseconds stalled since boot
}

// parsePressure reads a PSI file (Documentation/accounting/psi.rst:
// "some avg10=0.00 avg60=0.00 avg300=0.00 total=0", then the same for "full").
func parsePressure(content string) (Pressure, error) {
	var p Pressure
	seen := false
	for _, line := range strings.Split(strings.TrimSpace(content), "\n") {
		f := strings.Fields(line)
		if len(f) != 5 {
			continue
		}
		var pl PressureLine
		for _, kv := range f[1:] {
			k, v, _ := strings.Cut(kv, "=")
			var err error
			switch k {
			case "avg10":
				pl.Avg10, err = strconv.ParseFloat(v, 64)
			case "avg60":
				pl.Avg60, err = strconv.ParseFloat(v, 64)
			case "avg300":
				pl.Avg300, err = strconv.ParseFloat(v, 64)
			case "total":
				pl.Total, err = strconv.ParseUint(v, 10, 64)
			}
			if err != nil {
				return p, fmt.Errorf("pressure %q: %w", line, err)
			}
		}
		switch f[0] {
		case "some":
			p.Some, seen = pl, true
		case "full":
			p.Full = &pl
		}
	}
	if !seen {
		return p, fmt.Errorf("pressure: no \"some\" line in %q", firstLine(content))
	}
	return p, nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
