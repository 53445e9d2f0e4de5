// Package durabletest is test support for writers that must go through internal/durablefile:
// it cuts a write short midway, the way a full disk does or a crash leaves it, and finds the
// temp files such a write must not leave behind. Under [FailWritesPast] a writer that writes in
// place (os.WriteFile, os.Create) leaves a truncated target; one through durablefile leaves the
// old content, or no file at all.
package durabletest

import (
	"os"
	"syscall"
	"testing"

	"github.com/nixos-hub/hub/internal/durablefile"
)

// FailWritesPast runs fn with every write beyond the first n bytes of any regular file failing
// (RLIMIT_FSIZE: the write stops at n bytes and returns EFBIG; Go ignores the SIGXFSZ that comes
// with it). The limit is the whole process's and the processes it starts inherit it, so fn
// should do only the write under test, and the calling test must not be a parallel one.
func FailWritesPast(t testing.TB, n uint64, fn func()) {
	t.Helper()
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
