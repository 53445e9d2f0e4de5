// Package goldenfile compares rendered output (tables, reports, generated config) with files kept
// under a package's testdata/, and rewrites them when tests run with -update. It is test support:
// one comparison, one flag and one message for every package with golden files.
//
// Entry points: [Check] compares one output with its file; [Update] says whether the run rewrites
// them.
package goldenfile

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/nixos-hub/hub/internal/durablefile"
)

// update is registered once here, so every package that uses this one shares the same -update.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Update reports whether the tests run with -update, for a package whose golden output is not
// one file per comparison (a generated tree, a format compared by its own tool). A package must
// not register its own -update: two registrations of one flag panic when both are linked in.
func Update() bool { return *update }

// Check fails t when got differs from the file at path (relative to the test's package), or
// writes got there under -update.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		// A golden file is the repository's: an -update run interrupted midway leaves it whole.
		if err := durablefile.Write(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
