package durablefile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/durablefile"
	"github.com/nixos-hub/hub/internal/durablefile/durabletest"
)

// A write cut short midway (the disk full after 8 bytes, or the encoder failing after half its
// output) leaves the target's old content whole, or no target when there was none, and no temp
// file. os.WriteFile, the in-place write durablefile replaces, is the control: it leaves the
// target truncated to the 8 bytes.
func TestWriteCutShortMidway(t *testing.T) {
	if durabletest.InChild(t) {
		return // FailWritesPast's limit is the child's alone
	}
	next := []byte(strings.Repeat("new content ", 10))
	halfThenFail := func(w io.Writer) error {
		if _, err := w.Write(next[:len(next)/2]); err != nil {
			return err
		}
		return errors.New("encoder failed")
	}
	for _, tc := range []struct {
		name    string
		old     string // "" for no file before
		write   func(path string) error
		cutAt   uint64 // the file size limit; 0 for none
		partial bool   // the in-place control: the target is left truncated
	}{
		{"in place (control), file full", "old", func(p string) error { return os.WriteFile(p, next, 0o644) }, 8, true},
		{"Write, file full", "old", func(p string) error { return durablefile.Write(p, next, 0o644) }, 8, false},
		{"Write, new file, file full", "", func(p string) error { return durablefile.Write(p, next, 0o644) }, 8, false},
		{"WriteFunc, file full", "old", func(p string) error {
			return durablefile.WriteFunc(p, 0o644, func(w io.Writer) error { _, err := w.Write(next); return err })
		}, 8, false},
		{"WriteFunc, encoder fails", "old", func(p string) error { return durablefile.WriteFunc(p, 0o644, halfThenFail) }, 0, false},
		{"WriteFunc, new file, encoder fails", "", func(p string) error { return durablefile.WriteFunc(p, 0o644, halfThenFail) }, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "README.md")
			if tc.old != "" {
				if err := os.WriteFile(path, []byte(tc.old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			if tc.cutAt > 0 {
				durabletest.FailWritesPast(t, tc.cutAt, func() { err = tc.write(path) })
			} else {
				err = tc.write(path)
			}
			if err == nil {
				t.Fatal("the write cut short reported success")
			}
			b, rerr := os.ReadFile(path)
			switch {
			case tc.partial:
				if string(b) != string(next[:tc.cutAt]) {
					t.Errorf("in place: content %q, want the truncated %q (is the limit in force?)", b, next[:tc.cutAt])
				}
			case tc.old == "":
				if !errors.Is(rerr, os.ErrNotExist) {
					t.Errorf("a new file cut short exists: %q, %v", b, rerr)
				}
			case string(b) != tc.old:
				t.Errorf("content %q, want the old %q whole", b, tc.old)
			}
			durabletest.NoTempFiles(t, dir)
			if !tc.partial && !strings.Contains(err.Error(), path) && !strings.Contains(err.Error(), ".README.md") {
				t.Errorf("error %q names neither the file nor its temp file", err)
			}
		})
	}
}
