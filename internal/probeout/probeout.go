// Package probeout splits what a probe script printed into its sections. The hub's multi-part
// probes (net:doctor, perf:report) collect everything in one ssh round trip and mark each part
// with a header line "@@ <name> [args...]"; Split is the one reader of that format.
//
// Entry point: [Split] returns the [Section]s.
package probeout

import (
	"bufio"
	"fmt"
	"strings"
)

// header starts a section: "@@ name args...".
const header = "@@ "

// Section is one header and the lines after it, up to the next header.
type Section struct {
	Name string
	Args []string
	Body []string
}

// Split splits out into its sections, in order; lines before the first header are dropped.
// Lines may be long (a resolv.conf, a JSON document): up to 16 MiB each.
func Split(out string) ([]Section, error) {
	var secs []Section
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, header); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				secs = append(secs, Section{Name: f[0], Args: f[1:]})
				continue
			}
		}
		if len(secs) > 0 {
			secs[len(secs)-1].Body = append(secs[len(secs)-1].Body, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("probe output: %w", err)
	}
	return secs, nil
}
