package durablefile

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/renameio/v2"
)

// A new file gets exactly the mode asked for, whatever the umask; a file that exists keeps its
// own; the content is replaced and nothing but the target is left in the directory.
func TestWriteMode(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	for _, tc := range []struct {
		name     string
		existing fs.FileMode // 0: no file before
		perm     fs.FileMode
		want     fs.FileMode
	}{
		{"new 0644 under umask 077", 0, 0o644, 0o644},
		{"new 0600", 0, 0o600, 0o600},
		{"new 0755", 0, 0o755, 0o755},
		{"existing 0640 keeps its mode", 0o640, 0o644, 0o640},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f.age")
			if tc.existing != 0 {
				if err := os.WriteFile(path, []byte("old"), tc.existing); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tc.existing); err != nil {
					t.Fatal(err)
				}
			}
			if err := Write(path, []byte("new"), tc.perm); err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got != tc.want {
				t.Errorf("mode %v, want %v", got, tc.want)
			}
			if b, _ := os.ReadFile(path); string(b) != "new" {
				t.Errorf("content %q, want new", b)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("directory holds %d entries, want only f.age", len(ents))
			}
		})
	}
}

// A write that fails (here the rename, over a directory) leaves no temp file, neither beside the
// target nor in $TMPDIR. Where a killed writer's temp file goes is internal/secrets'
// TestCrashSafety's to show.
func TestWriteFailureLeavesNothing(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	path := filepath.Join(dir, "target")
	if err := os.Mkdir(path, 0o755); err != nil { // a directory cannot be renamed over
		t.Fatal(err)
	}
	if err := Write(path, []byte("x"), 0o644); err == nil {
		t.Fatal("Write over a directory succeeded")
	}
	for _, d := range []string{tmp, dir} {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			if e.Name() != "target" {
				t.Errorf("%s: left %s", d, e.Name())
			}
		}
	}
}

// Target recognises the temp files renameio really makes, and nothing else.
func TestTarget(t *testing.T) {
	dir := t.TempDir()
	for _, base := range []string{"restic-password.age", "rotation.toml", "x1"} {
		p, err := renameio.NewPendingFile(filepath.Join(dir, base), renameio.WithTempDir(dir))
		if err != nil {
			t.Fatal(err)
		}
		tmpName := filepath.Base(p.Name())
		p.Cleanup()
		// "x1" ends in a digit itself: its temp's target reads as "x", the base without digits,
		// which is why callers match the target's suffix (".age"), not a whole name.
		want := base
		if base == "x1" {
			want = "x"
		}
		if got, ok := Target(tmpName); !ok || got != want {
			t.Errorf("Target(%q) = %q, %v; want %q", tmpName, got, ok, want)
		}
	}
	for _, name := range []string{"x.age", ".x.age", ".123", "x.age123", ""} {
		if got, ok := Target(name); ok {
			t.Errorf("Target(%q) = %q, true; want not a temp file", name, got)
		}
	}
}

// Rename moves a file another program wrote over the target, mode and all, and leaves nothing
// at the old name; a tmp that is not there fails and leaves the target's old content.
func TestRename(t *testing.T) {
	dir := t.TempDir()
	work := filepath.Join(dir, ".work")
	if err := os.Mkdir(work, 0o700); err != nil {
		t.Fatal(err)
	}
	tmp, path := filepath.Join(work, "b.bundle"), filepath.Join(dir, "b.bundle")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Rename(filepath.Join(work, "absent"), path); err == nil {
		t.Error("Rename of a missing file succeeded")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("after a failed Rename: %q, want old", b)
	}
	if err := os.WriteFile(tmp, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" || st.Mode().Perm() != 0o600 {
		t.Errorf("after Rename: %q mode %v, want new 0600", b, st.Mode().Perm())
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("%s still there: %v", tmp, err)
	}
}
