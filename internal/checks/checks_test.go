package checks

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/durablefile/durabletest"
	"github.com/nixos-hub/hub/internal/goldenfile"
)

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), []byte(got))
}

func TestRunLimitAndOrder(t *testing.T) {
	var inFlight, maxSeen atomic.Int32
	var suites []Suite
	for i := 0; i < 12; i++ {
		name := string(rune('a' + i))
		suites = append(suites, Suite{Name: name, Run: func(ctx context.Context, out io.Writer, rec *Recorder) error {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for {
				m := maxSeen.Load()
				if n <= m || maxSeen.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			io.WriteString(out, "line from "+name+"\npartial")
			if name == "c" {
				return errors.New("boom")
			}
			return nil
		}})
	}
	var progress bytes.Buffer
	res := Run(context.Background(), suites, Options{Limit: 3, Progress: &progress, LogDir: t.TempDir()})
	if m := maxSeen.Load(); m > 3 || m < 2 {
		t.Errorf("max in flight = %d, want 2..3 with limit 3", m)
	}
	for i, r := range res {
		if r.Name != suites[i].Name {
			t.Fatalf("result %d is %s, want order kept", i, r.Name)
		}
		if (r.Err != nil) != (r.Name == "c") {
			t.Errorf("%s err = %v", r.Name, r.Err)
		}
		logged, _ := os.ReadFile(r.LogFile)
		if string(logged) != "line from "+r.Name+"\npartial" {
			t.Errorf("%s log = %q", r.Name, logged)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(progress.String()), "\n") {
		if !strings.Contains(line, ": ") {
			t.Errorf("progress line without suite prefix: %q", line)
		}
	}
	if !strings.Contains(progress.String(), "c: partial\n") {
		t.Error("partial last line not flushed with its prefix")
	}
}

func TestConsumeTestJSON(t *testing.T) {
	f, err := os.Open("testdata/gotest.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	rec := &Recorder{}
	failed := consumeTestJSON(f, &out, rec)
	if strings.Join(failed, ",") != "pkg/a" {
		t.Errorf("failed packages = %v", failed)
	}
	p, fl, s := count(rec.all())
	if p != 1 || fl != 1 || s != 1 {
		t.Errorf("counts = %d/%d/%d, want 1/1/1", p, fl, s)
	}
	golden(t, "gotest.progress", out.String())

	res := []Result{
		{Name: "unit", Err: errors.New("go test: 1 package(s) failed: pkg/a"), Duration: 1500 * time.Millisecond, Tests: rec.all()},
		{Name: "vet", Duration: 300 * time.Millisecond, LogFile: "/runs/vet.log"},
		{Name: "nix-syntax", Err: errors.New("m.nix:2:7: syntax error"), Duration: time.Second, Log: "checking 3 files\nm.nix:2:7: syntax error\n"},
	}
	var sum bytes.Buffer
	if n := Summary(&sum, res); n != 2 {
		t.Errorf("Summary failed = %d, want 2", n)
	}
	golden(t, "summary.txt", sum.String())
	var junit bytes.Buffer
	if err := WriteJUnit(&junit, res); err != nil {
		t.Fatal(err)
	}
	golden(t, "junit.xml", junit.String())
}

// The JUnit file is replaced whole: a write cut short midway (the disk full after 64 bytes)
// leaves the previous run's report a CI job can still parse, not XML cut off; a full write
// keeps the file's mode and leaves no temp file.
func TestJUnitFileReplacedWhole(t *testing.T) {
	if durabletest.InChild(t) {
		return // FailWritesPast's limit is the child's alone
	}
	res := []Result{{Name: "vet", Duration: 300 * time.Millisecond}, {Name: "unit", Err: errors.New("go test: 1 package(s) failed"), Duration: time.Second}}
	dir := t.TempDir()
	path := filepath.Join(dir, "junit.xml")
	if err := WriteJUnitFile(path, res[:1]); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o640)
	previous, _ := os.ReadFile(path)
	var err error
	durabletest.FailWritesPast(t, 64, func() { err = WriteJUnitFile(path, res) })
	if err == nil {
		t.Fatal("WriteJUnitFile cut short reported success")
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, previous) {
		t.Errorf("junit.xml after a write cut short:\n%s\nwant the previous report whole:\n%s", b, previous)
	}
	durabletest.NoTempFiles(t, dir)

	if err := WriteJUnitFile(path, res); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := WriteJUnit(&want, res); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, want.Bytes()) {
		t.Errorf("junit.xml:\n%s\nwant\n%s", b, want.Bytes())
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("junit.xml mode %v, want its own 0640 kept", st.Mode().Perm())
	}
	durabletest.NoTempFiles(t, dir)
}

func TestGoTestReal(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go on PATH")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/x\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "x_test.go"), []byte(`package x
import "testing"
func TestPass(t *testing.T) {}
func TestFail(t *testing.T) { t.Fatal("expected failure") }
`), 0o644)
	rec := &Recorder{}
	var out bytes.Buffer
	err := goTest("unit", dir, "./...").Run(context.Background(), &out, rec)
	if err == nil || !strings.Contains(err.Error(), "1 package(s) failed: example.com/x") {
		t.Fatalf("err = %v\n%s", err, out.String())
	}
	p, f, _ := count(rec.all())
	if p != 1 || f != 1 {
		t.Errorf("pass/fail = %d/%d, want 1/1", p, f)
	}
	if !strings.Contains(out.String(), "expected failure") {
		t.Errorf("failure output not shown:\n%s", out.String())
	}
}

// A suite that could check nothing is SKIPPED with its reason, counted as skipped, and neither
// passes nor fails the run.
func TestSkippedSuite(t *testing.T) {
	suites := []Suite{
		funcSuite("eval", func(ctx context.Context, out io.Writer) error {
			return skip("flake.lock does not exist: run `nix flake lock`")
		}),
		funcSuite("hosts", func(ctx context.Context, out io.Writer) error { return nil }),
	}
	var progress bytes.Buffer
	res := Run(context.Background(), suites, Options{Limit: 1, Progress: &progress})
	if res[0].Err != nil || res[0].Skipped != "flake.lock does not exist: run `nix flake lock`" {
		t.Fatalf("eval result: err %v, skipped %q", res[0].Err, res[0].Skipped)
	}
	if !strings.Contains(progress.String(), "eval: SKIPPED in ") || !strings.Contains(progress.String(), ": flake.lock does not exist") {
		t.Errorf("progress does not say SKIPPED with the reason:\n%s", progress.String())
	}
	for i := range res {
		res[i].Duration = time.Second
		res[i].Tests = nil
		if res[i].Skipped != "" {
			res[i].Tests = []TestCase{{Name: "eval", Duration: time.Second, Skipped: true, Output: res[i].Skipped}}
		}
	}
	var sum bytes.Buffer
	if n := Summary(&sum, res); n != 0 {
		t.Errorf("Summary failed = %d, want 0", n)
	}
	golden(t, "summary-skipped.txt", sum.String())
	if !strings.Contains(sum.String(), "tests: 1 passed, 0 failed, 1 skipped\n") {
		t.Errorf("closing line does not count the skip:\n%s", sum.String())
	}
	var junit bytes.Buffer
	if err := WriteJUnit(&junit, res); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(junit.String(), `skipped="1"`) {
		t.Errorf("JUnit does not mark the suite skipped:\n%s", junit.String())
	}
}

func TestPrepare(t *testing.T) {
	var ran []string
	step := func(name string, err error) func(context.Context, io.Writer) error {
		return func(ctx context.Context, out io.Writer) error {
			ran = append(ran, name)
			return err
		}
	}
	tests := []struct {
		name    string
		suites  []Suite
		ran     string
		wantErr string
	}{
		{"none", []Suite{{Name: "vet"}}, "", ""},
		{"in order", []Suite{{Name: "unit", Prepare: step("unit", nil)}, {Name: "vet"}, {Name: "race", Prepare: step("race", nil)}}, "unit race", ""},
		{"the first failure stops", []Suite{{Name: "unit", Prepare: step("unit", errors.New("no mirror"))}, {Name: "race", Prepare: step("race", nil)}}, "unit", "unit: prepare: no mirror"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran = nil
			err := Prepare(t.Context(), tt.suites, io.Discard)
			if got := strings.Join(ran, " "); got != tt.ran {
				t.Errorf("ran %q, want %q", got, tt.ran)
			}
			if (err == nil) != (tt.wantErr == "") || err != nil && err.Error() != tt.wantErr {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// A failed subtest's message reaches the log: test2json gives it to the subtest, not to its
// parent, so printing only top-level tests' output showed a bare "--- FAIL: TestX (0.00s)".
func TestConsumeTestJSONSubtestOutput(t *testing.T) {
	events := `{"Action":"run","Package":"github.com/nixos-hub/hub/pkg/a","Test":"TestX"}
{"Action":"output","Package":"github.com/nixos-hub/hub/pkg/a","Test":"TestX","Output":"=== RUN   TestX\n"}
{"Action":"output","Package":"github.com/nixos-hub/hub/pkg/a","Test":"TestX/ctrl-c","Output":"    x_test.go:45: no notice after the first signal\n"}
{"Action":"fail","Package":"github.com/nixos-hub/hub/pkg/a","Test":"TestX/ctrl-c","Elapsed":0}
{"Action":"output","Package":"github.com/nixos-hub/hub/pkg/a","Test":"TestX","Output":"--- FAIL: TestX (0.00s)\n"}
{"Action":"fail","Package":"github.com/nixos-hub/hub/pkg/a","Test":"TestX","Elapsed":0}
{"Action":"fail","Package":"github.com/nixos-hub/hub/pkg/a","Elapsed":0.1}
`
	var out bytes.Buffer
	consumeTestJSON(strings.NewReader(events), &out, &Recorder{})
	if !strings.Contains(out.String(), "no notice after the first signal") {
		t.Errorf("the subtest's failure is not in the log:\n%s", out.String())
	}
}
