// Package shellconf checks what the shell and git features generate with the real programs: the
// tmux feature's configuration is sourced by a private tmux server, the zsh feature's startup
// code is run by zsh, and the git feature's /etc/gitconfig drives a real merge and pull. The
// modules are evaluated offline with their options' defaults (nix/module-render.nix, builtins
// only), so a bad key binding, an unknown option or a bad value fails here rather than on a
// host's first login.
//
// Everything here is its tests: the package exports nothing.
package shellconf

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nixos-hub/hub/internal/nix"
)

// render evaluates module (relative to root) with feature enabled at its defaults and extra (a
// Nix expression for further config, "{ }" for none), and returns its definitions as JSON values.
func render(ctx context.Context, root, module, feature, extra string) (map[string]any, error) {
	args := append(append([]string{"--eval", "--strict", "--json"}, nix.EvalArgs()...),
		"--argstr", "module", module, "--argstr", "feature", feature, "--arg", "extra", extra, "nix/module-render.nix")
	cmd := exec.CommandContext(ctx, "nix-instantiate", args...)
	cmd.Dir = root
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: rendering: %w: %s", module, err, strings.TrimSpace(stderr.String()))
	}
	var defs map[string]any
	if err := json.Unmarshal(out, &defs); err != nil {
		return nil, fmt.Errorf("%s: decoding: %w", module, err)
	}
	return defs, nil
}

// tmuxModule is the tmux feature's module.
const tmuxModule = "modules/shell/tmux.nix"

// zshModule is the zsh feature's module.
const zshModule = "modules/shell/zsh.nix"

// tmuxConfig is the part of /etc/tmux.conf the tmux feature writes itself (before and after
// the plugins), with its defaults.
func tmuxConfig(ctx context.Context, root string) (string, error) {
	defs, err := render(ctx, root, tmuxModule, "tmux", "{ }")
	if err != nil {
		return "", err
	}
	t := get(defs, "programs", "tmux")
	return str(t["extraConfigBeforePlugins"]) + "\n" + str(t["extraConfig"]), nil
}

// zshConfig is the part of /etc/zshrc the zsh feature writes, in nixpkgs' order: options,
// history size, the interactive init, aliases.
func zshConfig(ctx context.Context, root string) (string, error) {
	defs, err := render(ctx, root, zshModule, "zsh", `{ hub.features.users = { enable = false; adminUser = "admin"; }; }`)
	if err != nil {
		return "", err
	}
	z := get(defs, "programs", "zsh")
	var b strings.Builder
	var opts []string
	for _, o := range list(z["setOptions"]) {
		opts = append(opts, str(o))
	}
	if len(opts) > 0 {
		fmt.Fprintf(&b, "setopt %s\n", strings.Join(opts, " "))
	}
	fmt.Fprintf(&b, "SAVEHIST=%v\nHISTSIZE=%v\n", z["histSize"], z["histSize"])
	b.WriteString(str(z["interactiveShellInit"]) + "\n")
	aliases, _ := z["shellAliases"].(map[string]any)
	for _, n := range slices.Sorted(maps.Keys(aliases)) {
		fmt.Fprintf(&b, "alias -- %s='%s'\n", n, strings.ReplaceAll(str(aliases[n]), "'", `'\''`))
	}
	return b.String(), nil
}

// checkTmux sources conf in a tmux server of its own (a socket under dir, no user config), so
// every command and key binding is parsed and run by tmux itself.
func checkTmux(ctx context.Context, dir, conf string) error {
	file := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		return err
	}
	sock := filepath.Join(dir, "tmux.sock")
	defer exec.Command("tmux", "-S", sock, "kill-server").Run()
	cmd := exec.CommandContext(ctx, "tmux", "-S", sock, "-f", "/dev/null", "new-session", "-d", ";", "source-file", file)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("tmux source-file: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// checkZsh parses script (zsh -n), then runs it in a zsh without any startup file: setopt of
// an unknown option, a zstyle, autoload or bindkey error prints to stderr, which fails.
func checkZsh(ctx context.Context, dir, script string) error {
	file := filepath.Join(dir, "zshrc")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		return err
	}
	if out, err := exec.CommandContext(ctx, "zsh", "-n", file).CombinedOutput(); err != nil {
		return fmt.Errorf("zsh -n: %w: %s", err, strings.TrimSpace(string(out)))
	}
	cmd := exec.CommandContext(ctx, "zsh", "-f", "-c", "source "+file)
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CACHE_HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		return fmt.Errorf("zsh: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

func get(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		next, _ := m[p].(map[string]any)
		m = next
	}
	return m
}

func str(v any) string { s, _ := v.(string); return s }

func list(v any) []any { l, _ := v.([]any); return l }

// gitModule is the git feature's module.
const gitModule = "modules/programs/git.nix"

// gitConfig is the /etc/gitconfig the git feature writes with its defaults, in the layout of
// nixpkgs' lib.generators.toGitINI (sections and keys sorted, values as git reads them).
func gitConfig(ctx context.Context, root string) (string, error) {
	defs, err := render(ctx, root, gitModule, "git", "{ }")
	if err != nil {
		return "", err
	}
	sections := get(defs, "programs", "git", "config")
	var b strings.Builder
	for _, sec := range slices.Sorted(maps.Keys(sections)) {
		keys, _ := sections[sec].(map[string]any)
		fmt.Fprintf(&b, "[%s]\n", sec)
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			fmt.Fprintf(&b, "\t%s = %v\n", k, keys[k])
		}
	}
	return b.String(), nil
}

// checkGit makes conf the system configuration (GIT_CONFIG_SYSTEM, no user configuration) of a
// repository under dir and exercises it: git parses it, the first branch is main, every boolean
// reads as one, and a conflicting merge (which reads merge.conflictStyle) and a rebase-pull run.
func checkGit(ctx context.Context, dir, conf string) error {
	file := filepath.Join(dir, "gitconfig")
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		return err
	}
	env := append(os.Environ(), "GIT_CONFIG_SYSTEM="+file, "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir,
		"GIT_AUTHOR_NAME=hub", "GIT_AUTHOR_EMAIL=hub@localhost", "GIT_COMMITTER_NAME=hub", "GIT_COMMITTER_EMAIL=hub@localhost")
	git := func(wantFail bool, args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if (err != nil) != wantFail {
			return string(out), fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		}
		return string(out), nil
	}
	list, err := git(false, "config", "--system", "--list")
	if err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		key, value, _ := strings.Cut(line, "=")
		if value == "true" || value == "false" {
			if _, err := git(false, "config", "--system", "--type=bool", "--get", key); err != nil {
				return err
			}
		}
	}
	commit := func(repo, text, msg string) error {
		if err := os.WriteFile(filepath.Join(dir, repo, "f"), []byte(text), 0o644); err != nil {
			return err
		}
		if _, err := git(false, "-C", repo, "add", "f"); err != nil {
			return err
		}
		_, err := git(false, "-C", repo, "commit", "-q", "-m", msg)
		return err
	}
	if _, err := git(false, "init", "-q", "origin"); err != nil {
		return err
	}
	if out, err := git(false, "-C", "origin", "symbolic-ref", "--short", "HEAD"); err != nil || strings.TrimSpace(out) != "main" {
		return fmt.Errorf("first branch %q, want main (init.defaultBranch): %v", strings.TrimSpace(out), err)
	}
	if err := commit("origin", "base\n", "base"); err != nil {
		return err
	}
	if _, err := git(false, "clone", "-q", "origin", "work"); err != nil {
		return err
	}
	if _, err := git(false, "-C", "origin", "switch", "-q", "-c", "side"); err != nil {
		return err
	}
	if err := commit("origin", "side\n", "side"); err != nil {
		return err
	}
	if _, err := git(false, "-C", "origin", "switch", "-q", "main"); err != nil {
		return err
	}
	if err := commit("origin", "main\n", "main"); err != nil {
		return err
	}
	// A conflict: the merge reads merge.conflictStyle; zdiff3 shows the base ("|||||||").
	if _, err := git(true, "-C", "origin", "merge", "-q", "side"); err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(dir, "origin", "f"))
	if err != nil {
		return err
	}
	if !strings.Contains(string(data), "|||||||") {
		return fmt.Errorf("the conflict shows no base section (merge.conflictStyle): %q", data)
	}
	if _, err := git(false, "-C", "origin", "merge", "--abort"); err != nil {
		return err
	}
	// pull.rebase with rebase.autoStash, fetch.prune and pruneTags: a pull into the clone runs.
	_, err = git(false, "-C", "work", "pull", "-q")
	return err
}

// atuinModule is the atuin feature's module.
const atuinModule = "modules/shell/atuin.nix"

// atuinConfig is /etc/atuin/config.toml as the atuin feature writes it with its defaults.
func atuinConfig(ctx context.Context, root string) (string, error) {
	defs, err := render(ctx, root, atuinModule, "atuin", "{ programs.zsh.enable = false; }")
	if err != nil {
		return "", err
	}
	return str(get(defs, "environment", "etc", "atuin/config.toml")["text"]), nil
}

// checkAtuin decodes conf as TOML into the settings the hub writes (Atuin's names and types),
// strictly: a syntax error, a value of the wrong type or outside Atuin's choices, or a key not
// listed here (every key the hub writes is checked) fails. Atuin itself is not here.
func checkAtuin(conf string) error {
	var settings struct {
		AutoSync                    bool   `toml:"auto_sync"`
		SyncAddress                 string `toml:"sync_address"`
		UpdateCheck                 bool   `toml:"update_check"`
		SearchMode                  string `toml:"search_mode"`
		FilterModeShellUpKeyBinding string `toml:"filter_mode_shell_up_key_binding"`
		Style                       string `toml:"style"`
		InlineHeight                int    `toml:"inline_height"`
		ShowPreview                 bool   `toml:"show_preview"`
		EnterAccept                 bool   `toml:"enter_accept"`
		SecretsFilter               bool   `toml:"secrets_filter"`
	}
	md, err := toml.Decode(conf, &settings)
	if err != nil {
		return fmt.Errorf("atuin config.toml: %w", err)
	}
	if un := md.Undecoded(); len(un) > 0 {
		return fmt.Errorf("atuin config.toml: keys the check does not know: %v", un)
	}
	modes := map[string][]string{
		"search_mode":                      {"prefix", "fulltext", "fuzzy", "skim"},
		"filter_mode_shell_up_key_binding": {"global", "host", "session", "directory", "workspace"},
		"style":                            {"auto", "full", "compact"},
	}
	for key, value := range map[string]string{"search_mode": settings.SearchMode,
		"filter_mode_shell_up_key_binding": settings.FilterModeShellUpKeyBinding, "style": settings.Style} {
		if !slices.Contains(modes[key], value) {
			return fmt.Errorf("atuin config.toml: %s = %q, want one of %v", key, value, modes[key])
		}
	}
	return nil
}
