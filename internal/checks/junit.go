package checks

import (
	"encoding/xml"
	"fmt"
	"io"

	"github.com/nixos-hub/hub/internal/durablefile"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *struct{}     `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Body    string `xml:",chardata"`
}

// WriteJUnitFile writes the results' JUnit XML to path, whole or not at all: a CI job that
// parses the file finds the last complete report, never XML cut off midway.
func WriteJUnitFile(path string, results []Result) error {
	return durablefile.WriteFunc(path, 0o644, func(w io.Writer) error { return WriteJUnit(w, results) })
}

// WriteJUnit writes the results as JUnit XML: one testsuite per suite, one testcase per recorded
// test, or a single testcase for a suite without individual tests.
func WriteJUnit(w io.Writer, results []Result) error {
	var all junitSuites
	var total float64
	for _, r := range results {
		s := junitSuite{Name: r.Name, Time: secs(r.Duration.Seconds())}
		total += r.Duration.Seconds()
		cases := r.Tests
		if len(cases) == 0 || (r.Err != nil && countFailed(cases) == 0) {
			cases = append(cases, TestCase{Name: r.Name, Duration: r.Duration, Failed: r.Err != nil, Output: r.Log})
		}
		for _, tc := range cases {
			jc := junitCase{Name: tc.Name, Classname: r.Name, Time: secs(tc.Duration.Seconds())}
			switch {
			case tc.Failed:
				msg := "failed"
				if r.Err != nil && len(r.Tests) == 0 {
					msg = r.Err.Error()
				}
				jc.Failure = &junitFailure{Message: msg, Body: tc.Output}
				s.Failures++
			case tc.Skipped:
				jc.Skipped = &struct{}{}
				s.Skipped++
			}
			s.Cases = append(s.Cases, jc)
			s.Tests++
		}
		all.Tests += s.Tests
		all.Failures += s.Failures
		all.Suites = append(all.Suites, s)
	}
	all.Time = secs(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func countFailed(tcs []TestCase) int {
	_, f, _ := count(tcs)
	return f
}

func secs(s float64) string { return fmt.Sprintf("%.3f", s) }
