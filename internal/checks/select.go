package checks

import (
	"fmt"
	"slices"
	"strings"
)

// Select returns the suites named in only (a comma list, in the order of suites), or all of
// them when only is empty. A name that is no suite is an error naming it and the suites there
// are, so a typo in a CI job fails instead of running nothing.
func Select(suites []Suite, only string) ([]Suite, error) {
	if strings.TrimSpace(only) == "" {
		return suites, nil
	}
	var names []string
	for _, s := range suites {
		names = append(names, s.Name)
	}
	want := map[string]bool{}
	for n := range strings.SplitSeq(only, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !slices.Contains(names, n) {
			return nil, fmt.Errorf("-only: no suite %q (the suites: %s)", n, strings.Join(names, ","))
		}
		want[n] = true
	}
	var out []Suite
	for _, s := range suites {
		if want[s.Name] {
			out = append(out, s)
		}
	}
	return out, nil
}
