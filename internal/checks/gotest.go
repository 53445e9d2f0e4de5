package checks

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/sysdeps"
)

// testEvent is one line of `go test -json` (cmd/test2json).
type testEvent struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

// goTest is a suite that runs `go test -json` with args in dir and records every test, printing
// one line per finished package so a long run shows progress.
func goTest(name, dir string, args ...string) Suite {
	return Suite{Name: name, Run: func(ctx context.Context, out io.Writer, rec *Recorder) error {
		cmd := exec.CommandContext(ctx, "go", append([]string{"test", "-json"}, args...)...)
		cmd.Dir = dir
		cmd.WaitDelay = 10 * time.Second
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("go test: %w", err)
		}
		failedPkgs := consumeTestJSON(stdout, out, rec)
		err = cmd.Wait()
		if stderr.Len() > 0 {
			io.WriteString(out, stderr.String())
		}
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				if len(failedPkgs) > 0 {
					return fmt.Errorf("go test: %d package(s) failed: %s", len(failedPkgs), strings.Join(failedPkgs, ", "))
				}
				return fmt.Errorf("go test: exit status %d", ee.ExitCode())
			}
			return fmt.Errorf("go test: %w", err)
		}
		return nil
	}}
}

// consumeTestJSON reads test2json events, records tests and returns the packages that failed.
func consumeTestJSON(r io.Reader, out io.Writer, rec *Recorder) (failedPkgs []string) {
	outputs := map[string]*strings.Builder{} // package/test -> output
	pkgOut := map[string]*strings.Builder{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		var ev testEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			// Build errors and the like arrive as plain text.
			fmt.Fprintln(out, sc.Text())
			continue
		}
		key := ev.Package + "\x00" + ev.Test
		switch ev.Action {
		case "output":
			b := outputs[key]
			if b == nil {
				b = &strings.Builder{}
				outputs[key] = b
			}
			b.WriteString(ev.Output)
			if ev.Test == "" {
				pb := pkgOut[ev.Package]
				if pb == nil {
					pb = &strings.Builder{}
					pkgOut[ev.Package] = pb
				}
				pb.WriteString(ev.Output)
			}
		case "pass", "fail", "skip":
			if ev.Test == "" {
				short := strings.TrimPrefix(ev.Package, modulePath)
				fmt.Fprintf(out, "%-4s %s %.2fs\n", ev.Action, short, ev.Elapsed)
				if ev.Action == "fail" {
					failedPkgs = append(failedPkgs, short)
					if b := pkgOut[ev.Package]; b != nil {
						io.WriteString(out, b.String())
					}
				}
				continue
			}
			tc := TestCase{Name: ev.Package + "." + ev.Test, Duration: time.Duration(ev.Elapsed * float64(time.Second)),
				Failed: ev.Action == "fail", Skipped: ev.Action == "skip"}
			if b := outputs[key]; b != nil {
				tc.Output = b.String()
			}
			// Every failed test prints its own output, subtests too: a parent's output holds
			// only its own lines, so its subtests' messages were lost from the log.
			if tc.Failed {
				io.WriteString(out, tc.Output)
			}
			rec.Add(tc)
		}
	}
	return failedPkgs
}

// modulePath is trimmed from package names in progress lines.
const modulePath = "github.com/nixos-hub/hub/"

// funcSuite is a suite made of one Go function.
func funcSuite(name string, run func(ctx context.Context, out io.Writer) error, tools ...sysdeps.Tool) Suite {
	return Suite{Name: name, Tools: tools, Run: func(ctx context.Context, out io.Writer, _ *Recorder) error { return run(ctx, out) }}
}
