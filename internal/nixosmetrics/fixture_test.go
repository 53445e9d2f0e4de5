package nixosmetrics

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nixos-hub/hub/internal/nix"
)

var fixtureAttrs = []string{"gen1", "gen2", "gen2sd", "gen2kp", "testsys", "withspec", "gaming", "gone"}

var (
	fixtureOnce  sync.Once
	fixturePaths map[string]string
	fixtureErr   error
)

// buildFixture builds the toplevels of testdata/fixture.nix with real Nix, once per test binary,
// and deletes "gone" from the store again so it can play a garbage-collected booted system.
func buildFixture(t *testing.T) map[string]string {
	t.Helper()
	if _, err := exec.LookPath("nix-build"); err != nil {
		t.Skip("nix-build not installed: the NixOS fixtures need real Nix")
	}
	fixtureOnce.Do(func() {
		args := append(nix.Local().Args(), "--no-out-link", "testdata/fixture.nix")
		for _, a := range fixtureAttrs {
			args = append(args, "-A", a)
		}
		out, err := exec.Command("nix-build", args...).Output()
		if err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				err = fmt.Errorf("nix-build %s: %w: %s", strings.Join(args, " "), err, ee.Stderr)
			}
			fixtureErr = err
			return
		}
		lines := strings.Fields(string(out))
		if len(lines) != len(fixtureAttrs) {
			fixtureErr = os.ErrInvalid
			return
		}
		fixturePaths = map[string]string{}
		for i, a := range fixtureAttrs {
			fixturePaths[a] = lines[i]
		}
		if out, err := exec.Command("nix-store", "--delete", fixturePaths["gone"]).CombinedOutput(); err != nil {
			t.Logf("nix-store --delete: %s", out)
			fixtureErr = err
		}
	})
	if fixtureErr != nil {
		t.Fatalf("build fixture: %v", fixtureErr)
	}
	return fixturePaths
}

// epoch is the fixed time fixture links are dated from.
var epoch = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// scenario is a root laid out like a NixOS machine.
type scenario struct {
	generations []string // fixture attrs made into generations 1..n with nix-env --set
	current     string   // fixture attr /run/current-system points to
	booted      string   // fixture attr /run/booted-system points to
}

// makeRoot creates real profile generations with nix-env, the run links, and fixed mtimes:
// generation N is dated epoch+N hours, /run/current-system epoch+10h.
func makeRoot(t *testing.T, paths map[string]string, sc scenario) string {
	t.Helper()
	root := t.TempDir()
	profiles := filepath.Join(root, "nix/var/nix/profiles")
	for _, d := range []string{profiles, filepath.Join(root, "run")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/nix/store", filepath.Join(root, "nix/store")); err != nil {
		t.Fatal(err)
	}
	// The store's database goes with the store: the host's, where the fixture was built.
	if err := os.Symlink(filepath.Dir(StoreDB), filepath.Join(root, "nix/var/nix/db")); err != nil {
		t.Fatal(err)
	}
	for i, g := range sc.generations {
		out, err := exec.Command("nix-env", "-p", filepath.Join(profiles, "system"), "--set", paths[g]).CombinedOutput()
		if err != nil {
			t.Fatalf("nix-env --set %s: %v: %s", g, err, out)
		}
		setLinkTime(t, filepath.Join(profiles, "system-"+strconv.Itoa(i+1)+"-link"), epoch.Add(time.Duration(i+1)*time.Hour))
	}
	link := func(name, attr string, at time.Time) {
		if attr == "" {
			return
		}
		p := filepath.Join(root, "run", name)
		if err := os.Symlink(paths[attr], p); err != nil {
			t.Fatal(err)
		}
		setLinkTime(t, p, at)
	}
	link("current-system", sc.current, epoch.Add(10*time.Hour))
	link("booted-system", sc.booted, epoch)
	return root
}

// setLinkTime sets a symlink's own mtime, which Go's os.Chtimes cannot (it follows links).
func setLinkTime(t *testing.T, p string, at time.Time) {
	t.Helper()
	ts := []unix.Timespec{unix.NsecToTimespec(at.UnixNano()), unix.NsecToTimespec(at.UnixNano())}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		t.Fatalf("lutimes %s: %v", p, err)
	}
}
