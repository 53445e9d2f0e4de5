// Package durablefile replaces a file so that a crash or power cut at any moment leaves either
// the old or the new content, and once Write returns the new content survives a power cut. The
// atomic part is github.com/google/renameio/v2 (temp file, fsync, rename); this package adds
// what renameio leaves to its callers: the temp file always beside the target (renameio
// otherwise puts it in $TMPDIR when that is on the same file system, where a sweep of the
// target's directory cannot find a killed writer's leftover), the mode exactly as asked (no
// umask), and an fsync of the directory so the rename itself is durable (renameio does not sync
// the directory: google/renameio#42 is still open).
package durablefile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/renameio/v2"
)

// Write replaces path with data. A new file gets mode perm; a file that exists keeps its mode
// (renameio's WithExistingPermissions).
func Write(path string, data []byte, perm fs.FileMode) error {
	return WriteFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc replaces path with what write writes, for content an encoder streams (a JSON
// report, JUnit XML) rather than holds. When write returns an error, path keeps its old content
// (or stays absent) and the temp file is removed. Modes as for Write.
func WriteFunc(path string, perm fs.FileMode, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	t, err := renameio.NewPendingFile(path, renameio.WithTempDir(dir), renameio.WithPermissions(perm),
		renameio.WithExistingPermissions(), renameio.IgnoreUmask())
	if err != nil {
		return err
	}
	defer t.Cleanup()
	if err := write(t); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := t.CloseAtomicallyReplace(); err != nil {
		return err
	}
	return syncDir(dir)
}

// Rename moves tmp, a file another program wrote whole (git bundle create writes its own), over
// path so that the move survives a power cut: tmp's data is synced before the rename and path's
// directory after it. tmp must be on path's file system, beside it or in a directory beside it,
// where a sweep of that directory can find what a killed writer left.
func Rename(tmp, path string) error {
	f, err := os.Open(tmp)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a rename in dir durable: renameio does not (google/renameio#42).
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// Target reports which file a temp file of Write (renameio's ".<base><random decimal>") was to
// replace, as its base name without trailing digits (a base that ends in digits cannot be told
// from the random part, so match a suffix such as ".age"), and whether name is such a temp file
// at all. A writer killed between creating the temp file and the rename leaves it behind.
func Target(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, ".")
	if !ok {
		return "", false
	}
	base := strings.TrimRight(rest, "0123456789")
	if base == "" || base == rest {
		return "", false
	}
	return base, true
}
