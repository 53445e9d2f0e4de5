package shellconf

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/sysdeps"
)

const root = "../.."

func need(t *testing.T, tools ...sysdeps.Tool) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool.Binary); err != nil {
			t.Skipf("SKIPPED: needs %s (Debian package %s)", tool.Binary, tool.Package)
		}
	}
}

func TestTmuxConfigRunsInTmux(t *testing.T) {
	need(t, sysdeps.NixInst, sysdeps.Tmux)
	conf, err := tmuxConfig(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/tmux.conf", []byte(conf))
	if err := checkTmux(context.Background(), t.TempDir(), conf); err != nil {
		t.Fatal(err)
	}
}

func TestZshConfigRunsInZsh(t *testing.T) {
	need(t, sysdeps.NixInst, sysdeps.Zsh)
	script, err := zshConfig(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/zshrc", []byte(script))
	if err := checkZsh(context.Background(), t.TempDir(), script); err != nil {
		t.Fatal(err)
	}
}

func TestGitConfigRunsInGit(t *testing.T) {
	need(t, sysdeps.NixInst, sysdeps.Git)
	conf, err := gitConfig(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/gitconfig", []byte(conf))
	if err := checkGit(context.Background(), t.TempDir(), conf); err != nil {
		t.Fatal(err)
	}
}

func TestAtuinConfigDecodes(t *testing.T) {
	need(t, sysdeps.NixInst)
	conf, err := atuinConfig(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/atuin-config.toml", []byte(conf))
	if err := checkAtuin(conf); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ conf, want string }{
		{"search_mode = fuzzy\n", "atuin config.toml: toml:"},
		{"search_mode = \"fuzzi\"\nfilter_mode_shell_up_key_binding = \"session\"\nstyle = \"compact\"\n", `search_mode = "fuzzi"`},
		{"inline_height = \"20\"\n", "inline_height"},
		{"sync_frequency = \"5m\"\n", "keys the check does not know: [sync_frequency]"},
	} {
		if err := checkAtuin(bad.conf); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("CheckAtuin(%q) = %v, want an error containing %q", bad.conf, err, bad.want)
		}
	}
}

// The checks fail on what they are for: a key binding to an unknown command, an unknown tmux or
// zsh option, a zsh syntax error, a git value git cannot read.
func TestChecksCatchMistakes(t *testing.T) {
	need(t, sysdeps.Tmux, sysdeps.Zsh)
	for _, tc := range []struct {
		name, text, want string
		check            func(context.Context, string, string) error
	}{
		{"tmux unknown command", "bind | split-windw -h\n", "unknown command: split-windw", checkTmux},
		{"tmux bad option", "set -g mousee on\n", "invalid option: mousee", checkTmux},
		{"zsh unknown option", "setopt SHARE_HISTORY NO_SUCH_THING\n", "no such option: NO_SUCH_THING", checkZsh},
		{"zsh syntax", "if true; then\n", "parse error", checkZsh},
		{"git bad boolean", "[init]\n\tdefaultBranch = main\n[merge]\n\tconflictStyle = zdiff3\n[fetch]\n\tprune = maybe\n", "bad boolean config value 'maybe' for 'fetch.prune'", checkGit},
		{"git bad conflict style", "[init]\n\tdefaultBranch = main\n[merge]\n\tconflictStyle = zdiff4\n", "unknown style 'zdiff4'", checkGit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.check(context.Background(), t.TempDir(), tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
