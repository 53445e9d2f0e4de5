package checks

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestSelect(t *testing.T) {
	noop := func(ctx context.Context, out io.Writer) error { return nil }
	suites := []Suite{funcSuite("unit", noop), funcSuite("vet", noop), funcSuite("hosts", noop)}
	for _, tc := range []struct {
		only, want, err string
	}{
		{"", "unit,vet,hosts", ""},
		{"hosts,unit", "unit,hosts", ""}, // the suites' order, not the flag's
		{" vet , ", "vet", ""},
		{"vet,unti", "", `-only: no suite "unti" (the suites: unit,vet,hosts)`},
	} {
		got, err := Select(suites, tc.only)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("Select(%q) error = %v, want %s", tc.only, err, tc.err)
			}
			continue
		}
		var names []string
		for _, s := range got {
			names = append(names, s.Name)
		}
		if err != nil || strings.Join(names, ",") != tc.want {
			t.Errorf("Select(%q) = %v, %v; want %s", tc.only, names, err, tc.want)
		}
	}
}

// A suite still running at -timeout is killed (its process, through the context) and fails
// saying so; the other suites of the run are not affected.
func TestSuiteTimeout(t *testing.T) {
	suites := []Suite{
		funcSuite("hangs", func(ctx context.Context, out io.Writer) error {
			return exec.CommandContext(ctx, "sleep", "300").Run()
		}),
		funcSuite("quick", func(ctx context.Context, out io.Writer) error { return nil }),
	}
	var progress bytes.Buffer
	done := make(chan []Result)
	go func() {
		done <- Run(context.Background(), suites, Options{Limit: 2, Progress: &progress, Timeout: 300 * time.Millisecond})
	}()
	var res []Result
	select {
	case res = <-done:
	case <-time.After(time.Minute):
		t.Fatal("the run did not stop at its suite timeout")
	}
	if res[0].Err == nil || !strings.HasPrefix(res[0].Err.Error(), "timed out after 300ms (-timeout)") {
		t.Errorf("hangs: err = %v, want timed out after 300ms", res[0].Err)
	}
	if res[1].Err != nil {
		t.Errorf("quick: %v", res[1].Err)
	}
}
