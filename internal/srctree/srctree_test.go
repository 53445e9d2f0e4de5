package srctree

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFiles(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"README.md", "docs/b.md", "docs/a.md", "docs/a.txt", ".git/x.md", "pkg/testdata/y.md", "result/z.md", ".hub/runs/w.md"} {
		p := filepath.Join(root, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Files(root, ".md")
	if err != nil || strings.Join(got, " ") != "README.md docs/a.md docs/b.md" {
		t.Errorf("Files = %v, %v", got, err)
	}
}
