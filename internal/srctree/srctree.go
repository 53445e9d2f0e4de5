// Package srctree lists the repository's own source files for the checks that read them
// (shellcheck, Markdown links): everything below a root but version control and other dot
// directories, test data (fixtures kept as their tests need them) and nix build results.
//
// Entry point: [Files].
package srctree

import (
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
)

// Files lists the files below root whose name has suffix, relative to root and sorted.
func Files(root, suffix string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "result") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, suffix) {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
