package nix

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/goldenfile"
)

func TestSettingsRendered(t *testing.T) {
	var b strings.Builder
	for _, s := range []Settings{Real(), Local()} {
		b.WriteString("== " + s.Kind + "\nargs: " + command.Quote(s.Args()) + "\nnix.conf:\n" + s.Conf())
	}
	goldenfile.Check(t, filepath.Join("testdata", "settings.golden"), []byte(b.String()))
}

// The real fleet must never get the local fleet's offline settings: no sandbox, no build
// users and no binary caches would be wrong on every real machine.
func TestRealHasNoLocalSettings(t *testing.T) {
	for _, o := range Real().Options {
		switch o.Name {
		case "sandbox", "build-users-group", "substituters", "builders", "max-jobs":
			t.Errorf("Real() sets %s = %q", o.Name, o.Value)
		}
	}
}

// machineConfs are the nix.conf files a machine may have (NIX_CONF_DIR stands in for /etc/nix).
var machineConfs = []struct{ name, conf string }{
	{"absent", ""},
	{"daemon", "build-users-group = nixbld\nsandbox = true\nsubstituters = https://cache.nixos.org\nmax-jobs = 0\n"},
	{"sandbox-off", "build-users-group =\nsandbox = false\n"},
}

func withMachineConf(t *testing.T, conf string) {
	t.Helper()
	dir := t.TempDir()
	if conf != "" {
		if err := os.WriteFile(filepath.Join(dir, "nix.conf"), []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("NIX_CONF_DIR", dir)
}

func needNix(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("nix-build"); err != nil {
		t.Skip("nix-build not installed (Debian package nix-bin)")
	}
	if os.Geteuid() != 0 {
		t.Skip("the probe builds into /nix/store directly, which needs root without a nix-daemon")
	}
}

// The probe, and so everything built with Local(), works whatever the machine's nix.conf says.
func TestProbeLocalWhateverTheMachineConf(t *testing.T) {
	needNix(t)
	for _, mc := range machineConfs {
		t.Run(mc.name, func(t *testing.T) {
			withMachineConf(t, mc.conf)
			if err := Probe(t.Context(), (&command.Executor{}).Local(), Local()); err != nil {
				t.Fatalf("Probe(Local) with a %s nix.conf: %v", mc.name, err)
			}
		})
	}
}

// Without the local settings, the daemon-style configuration cannot build the local fleet's
// kind of derivation here (no nixbld group, or a sandbox without /bin/sh): the probe says so in
// one line. This is what the local settings are for, so it must keep failing.
func TestProbeRealOnDaemonConfFailsInOneLine(t *testing.T) {
	needNix(t)
	// No substituters: the test must not reach for a binary cache.
	withMachineConf(t, "build-users-group = nixbld\nsandbox = true\nsubstituters =\n")
	err := Probe(t.Context(), (&command.Executor{}).Local(), Real())
	if err == nil {
		t.Fatal("Probe(Real) with build users and a sandbox built; want a failure")
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "nix cannot build: ") ||
		!(strings.Contains(msg, "build-users-group") || strings.Contains(msg, "/bin/sh")) {
		t.Errorf("want one line naming the build users or the sandbox's /bin/sh, got %q", msg)
	}
}

func TestDiagnose(t *testing.T) {
	for _, tc := range []struct {
		name, stderr string
		euid         int
		want         string
	}{
		{"build users", "warning: the group 'nixbld' specified in 'build-users-group' does not exist\nerror: the group 'nixbld' specified in 'build-users-group' does not exist\n", 0,
			"nix cannot build: error: the group 'nixbld' specified in 'build-users-group' does not exist; the hub passes build-users-group= for the local fleet, so another configuration overrides it: check NIX_CONFIG and ~/.config/nix/nix.conf"},
		{"sandbox", "building '/nix/store/x-hub-nix-probe.drv'...\nerror: executing '/bin/sh': No such file or directory\n", 0,
			"nix cannot build: error: executing '/bin/sh': No such file or directory; the build sandbox hides /bin/sh and the hub's sandbox=false was not honoured: a nix-daemon ignores it for users not in its trusted-users, so run as root or add yourself to trusted-users"},
		{"not root", "error: opening lock file '/nix/var/nix/db/big-lock': Permission denied\n", 1000,
			"nix cannot build: error: opening lock file '/nix/var/nix/db/big-lock': Permission denied; as uid 1000 nix cannot write /nix/store: run as root (sudo -E go tool mage ...), or start nix-daemon and add yourself to its trusted-users"},
		{"read-only", "error: opening lock file '/nix/var/nix/db/big-lock': Permission denied\n", 0,
			"nix cannot build: error: opening lock file '/nix/var/nix/db/big-lock': Permission denied; check that /nix is writable by root and not mounted read-only"},
		{"disk full", "error: writing to file: No space left on device\n", 0,
			"nix cannot build: error: writing to file: No space left on device; free space on the disk holding /nix (nix-collect-garbage -d)"},
		{"other", "some noise\nerror: something new\n  at line 3\n", 0, "nix cannot build a trivial derivation: error: something new"},
		{"silent", "", 0, "nix cannot build a trivial derivation: no output"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := diagnose(tc.stderr, tc.euid).Error(); got != tc.want {
				t.Errorf("diagnose:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// EvalArgs keep pure evaluations off the store: they work with a store nix cannot open.
func TestEvalArgsNeedNoStore(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate not installed (Debian package nix-bin)")
	}
	withMachineConf(t, "store = /nonexistent/store\n")
	args := append(EvalArgs(), "--eval", "--strict", "--json", "-E", `builtins.fromTOML "a = 1"`)
	out, err := exec.CommandContext(context.Background(), "nix-instantiate", args...).CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) || err != nil || strings.TrimSpace(string(out)) != `{"a":1}` {
		t.Fatalf("nix-instantiate %v: %v: %s", args, err, out)
	}
}

// BuildExpr builds a function of string arguments and links its GC root; the dry run prints the
// command line and builds nothing.
func TestBuildExpr(t *testing.T) {
	needNix(t)
	expr := `{ word }: { out = derivation { name = "hub-buildexpr-${word}"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo $word > $out" ]; inherit word; }; }`
	word := "w" + strings.ReplaceAll(t.Name(), "/", "-")
	link := filepath.Join(t.TempDir(), "result")
	n := On((&command.Executor{}).Local(), Local())
	out, err := n.BuildExpr(t.Context(), expr, "out", map[string]string{"word": word}, link, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(out); err != nil || strings.TrimSpace(string(b)) != word || !strings.HasSuffix(out, "-hub-buildexpr-"+word) {
		t.Errorf("built %s: %q, %v", out, b, err)
	}
	if got, err := os.Readlink(link); err != nil || got != out {
		t.Errorf("out link %s -> %q, %v; want %s", link, got, err, out)
	}
	var printed strings.Builder
	dry := On((&command.Executor{DryRun: true, Out: &printed}).Local(), Local())
	if out, err := dry.BuildExpr(t.Context(), expr, "out", map[string]string{"word": "x"}, "", time.Minute); err != nil || !strings.Contains(out, "<dry-run>") ||
		!strings.Contains(printed.String(), "--argstr word x --no-out-link") {
		t.Errorf("dry run: %q, %v; printed %q", out, err, printed.String())
	}
}
