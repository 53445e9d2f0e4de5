package backup

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/durablefile/durabletest"
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@x", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@x")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// The bundle carries every ref and clones back into the same history.
func TestBundleRepo(t *testing.T) {
	if durabletest.InChild(t) {
		return // FailWritesPast's limit is the child's alone
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	repo := t.TempDir()
	git(t, repo, "init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(repo, "flake.nix"), []byte("{ outputs = _: { }; }\n"), 0o644)
	git(t, repo, "add", "flake.nix")
	git(t, repo, "commit", "-q", "-m", "one")
	git(t, repo, "branch", "feature")
	git(t, repo, "tag", "v1")
	head := git(t, repo, "rev-parse", "HEAD")

	out := filepath.Join(t.TempDir(), "backups")
	local := (&command.Executor{}).Local()
	b, err := BundleRepo(t.Context(), local, repo, out, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if b.Path != filepath.Join(out, "hub-20260301T120000Z.bundle") || b.Refs != 4 || // HEAD, main, feature, v1
		len(b.SHA256) != 64 || b.Size == 0 {
		t.Errorf("bundle = %+v", b)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 1 {
		t.Errorf("%s holds %v, want only the bundle", out, ents)
	}
	clone := filepath.Join(t.TempDir(), "clone")
	if o, err := exec.Command("git", "clone", "-q", b.Path, clone).CombinedOutput(); err != nil {
		t.Fatalf("clone from bundle: %v: %s", err, o)
	}
	if got := git(t, clone, "rev-parse", "HEAD"); got != head {
		t.Errorf("cloned HEAD %s, want %s", got, head)
	}

	if _, err := BundleRepo(t.Context(), local, t.TempDir(), out, time.Now()); err == nil || !strings.Contains(err.Error(), "create") {
		t.Errorf("bundling a non-repository: %v", err)
	}

	// git cut short midway (the disk full after 64 bytes of the bundle) leaves nothing: no
	// bundle, no partial file, no git lock file.
	cut := filepath.Join(t.TempDir(), "backups")
	durabletest.FailWritesPast(t, 64, func() {
		_, err = BundleRepo(t.Context(), local, repo, cut, time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC))
	})
	if err == nil || !strings.Contains(err.Error(), "create") {
		t.Errorf("a bundle cut short: %v", err)
	}
	if ents, _ := os.ReadDir(cut); len(ents) != 0 {
		t.Errorf("a bundle cut short left %v", ents)
	}
}
