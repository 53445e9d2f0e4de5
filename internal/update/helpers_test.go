package update

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/nix"
)

// offlineNix gives the test a fresh machine's nix: an empty NIX_CONF_DIR (no /etc/nix) and no
// NIX_CONFIG, so the settings every nix call needs must come from the code under test, which
// passes internal/nix's Local settings (the test's own nix calls pass them in runNix).
func offlineNix(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("needs nix")
	}
	t.Setenv("NIX_CONF_DIR", t.TempDir())
	t.Setenv("NIX_CONFIG", "")
	// git inside nix and in the test reads no user or system configuration.
	t.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("HOME", t.TempDir()) // nix's fetcher cache (~/.cache/nix) is the test's own
}

// gitRepo is a real repository made by the test.
type gitRepo struct {
	t   *testing.T
	dir string
}

func newRepo(t *testing.T, dir string) *gitRepo {
	t.Helper()
	r := &gitRepo{t: t, dir: dir}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("init", "-q", "-b", "main")
	r.git("config", "user.name", "Test")
	r.git("config", "user.email", "test@example.invalid")
	return r
}

// git runs git in the repository and returns its trimmed stdout.
func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	return r.gitEnv(nil, args...)
}

func (r *gitRepo) gitEnv(env []string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.dir}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files and commits them, dated at (the zero time: now). It returns the revision.
func (r *gitRepo) commit(at time.Time, msg string, files map[string]string) string {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.git("add", "-A")
	var env []string
	if !at.IsZero() {
		d := at.Format(time.RFC3339)
		env = []string{"GIT_AUTHOR_DATE=" + d, "GIT_COMMITTER_DATE=" + d}
	}
	r.gitEnv(env, "commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

func (r *gitRepo) url() string { return "file://" + r.dir }

// runNix runs nix in dir with internal/nix's Local settings.
func runNix(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("nix", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), nix.Local().Env()...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("nix %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
