package goldenfile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/durablefile/durabletest"
)

// recorder is a testing.TB that keeps failures instead of failing the real test.
type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Errorf(f string, a ...any) { r.failed = true; r.msg = f }
func (r *recorder) Fatalf(f string, a ...any) { r.failed = true; r.msg = f }
func (r *recorder) Fatal(a ...any)            { r.failed = true }

func TestCheck(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.golden")
	os.WriteFile(p, []byte("same\n"), 0o644)
	tests := []struct {
		name   string
		path   string
		got    string
		failed bool
	}{
		{"equal", p, "same\n", false},
		{"different", p, "other\n", true},
		{"missing file", p + ".absent", "x", true},
	}
	for _, tt := range tests {
		r := &recorder{TB: t}
		Check(r, tt.path, []byte(tt.got))
		if r.failed != tt.failed {
			t.Errorf("%s: failed = %v (%s), want %v", tt.name, r.failed, r.msg, tt.failed)
		}
	}
}

// Under -update a golden file is replaced whole: a rewrite cut short midway (the disk full after
// 8 bytes) leaves the old file, not its first 8 bytes; a full one keeps the file's mode.
func TestUpdateReplacesWhole(t *testing.T) {
	if durabletest.InChild(t) {
		return // FailWritesPast's limit is the child's alone
	}
	defer func(old bool) { *update = old }(*update)
	*update = true
	dir := t.TempDir()
	p := filepath.Join(dir, "x.golden")
	os.WriteFile(p, []byte("old golden output\n"), 0o664)
	os.Chmod(p, 0o664)
	durabletest.FailWritesPast(t, 8, func() { Check(&recorder{TB: t}, p, []byte("new golden output, longer\n")) })
	if b, _ := os.ReadFile(p); string(b) != "old golden output\n" {
		t.Errorf("golden file after a rewrite cut short: %q", b)
	}
	durabletest.NoTempFiles(t, dir)
	r := &recorder{TB: t}
	Check(r, p, []byte("new\n"))
	if b, _ := os.ReadFile(p); r.failed || string(b) != "new\n" {
		t.Errorf("golden file after -update: %q (failed %v: %s)", b, r.failed, r.msg)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o664 {
		t.Errorf("golden file mode %v, want its own 0664 kept", st.Mode().Perm())
	}
}

// Only this package registers -update: a second registration panics ("flag redefined: update")
// as soon as a package with its own imports this one, which happened in three packages.
func TestNoOtherUpdateFlag(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == ".hub") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, filepath.Join("goldenfile", "goldenfile.go")) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, `flag.Bool("update"`) && !strings.Contains(line, "strings.Contains") {
				rel, _ := filepath.Rel(root, p)
				found = append(found, fmt.Sprintf("%s:%d", rel, i+1))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Errorf("%s registers its own -update flag: use goldenfile.Check or goldenfile.Update()", f)
	}
}
