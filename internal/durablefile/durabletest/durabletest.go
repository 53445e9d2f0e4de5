// Package durabletest is test support for writers that must go through internal/durablefile:
// it cuts a write short midway, the way a full disk does or a crash leaves it, and finds the
// temp files such a write must not leave behind. Under [FailWritesPast], in a test that runs in a
// child process of its own ([InChild]), a writer that writes in
// place (os.WriteFile, os.Create) leaves a truncated target; one through durablefile leaves the
// old content, or no file at all.
package durabletest

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/nixos-hub/hub/internal/durablefile"
)

// childEnv names, in the environment of a test binary that InChild started, the test it runs.
const childEnv = "DURABLETEST_CHILD"

// InChild runs the calling test again in a child process of the test binary and returns true
// in the parent once the child passed (the parent then returns; it fails with the child's output
// when the child did not); in the child it returns false and the test goes on. A test that calls
// FailWritesPast starts with it: the file size limit is a whole process's, and in the process
// go test runs it would also cut short go test's own files (the test log its cache reads, whose
// buffered writes flush whenever the buffer fills), failing a test that passed.
func InChild(t *testing.T) bool {
	t.Helper()
	if os.Getenv(childEnv) == t.Name() {
		return false
	}
	var run []string
	for _, part := range strings.Split(t.Name(), "/") {
		run = append(run, "^"+regexp.QuoteMeta(part)+"$")
	}
	cmd := exec.Command(os.Args[0], "-test.run="+strings.Join(run, "/"), "-test.count=1", "-test.v", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), childEnv+"="+t.Name())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s in a child process: %v\n%s", t.Name(), err, out)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("%s in a child process did not run:\n%s", t.Name(), out)
	}
	return true
}

// FailWritesPast runs fn with every write beyond the first n bytes of any regular file failing
// (RLIMIT_FSIZE: the write stops at n bytes and returns EFBIG; Go ignores the SIGXFSZ that comes
// with it). The limit is the whole process's and the processes it starts inherit it, so fn
// should do only the write under test, the calling test must not be a parallel one, and it must
// run in a child process of its own (InChild).
func FailWritesPast(t testing.TB, n uint64, fn func()) {
	t.Helper()
	if os.Getenv(childEnv) == "" {
		t.Fatalf("FailWritesPast outside a child process: start the test with `if durabletest.InChild(t) { return }`")
	}
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatalf("getrlimit: %v", err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: old.Max}); err != nil {
		t.Fatalf("setrlimit: %v", err)
	}
	defer func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
			t.Fatalf("restore the file size limit: %v", err)
		}
	}()
	fn()
}

// NoTempFiles fails t when dir holds a temp file of durablefile (a write cut short must remove
// its own).
func NoTempFiles(t testing.TB, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if target, ok := durablefile.Target(e.Name()); ok {
			t.Errorf("%s: temp file %s (of %s) left behind", dir, e.Name(), target)
		}
	}
}
