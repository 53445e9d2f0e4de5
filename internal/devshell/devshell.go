// Package devshell provides the per-language development shells: the languages of
// nix/languages.nix, the offline proof that a language's shell (devShells.<system>.<name>) has
// exactly the packages its host feature (lang-<name>) installs, and entering a shell with
// `nix develop`.
//
// Entry points: [Languages] lists the languages, [Compare] is the offline proof, and [Enter] runs
// `nix develop` (a [SkipError] when the inputs cannot be fetched).
package devshell

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/nix"
)

// Language is one entry of nix/languages.nix.
type Language struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Packages    []string `json:"packages"`
}

// feature is the registry feature of a language.
func (l Language) feature() string { return "lang-" + l.Name }

const languagesExpr = `builtins.attrValues (builtins.mapAttrs (name: l: { inherit name; inherit (l) description packages; }) (import ./nix/languages.nix))`

// Languages evaluates nix/languages.nix under root (builtins only, no store), sorted by name.
func Languages(ctx context.Context, root string) ([]Language, error) {
	out, err := instantiate(ctx, root, "--expr", languagesExpr)
	if err != nil {
		return nil, err
	}
	var langs []Language
	if err := json.Unmarshal(out, &langs); err != nil {
		return nil, fmt.Errorf("nix/languages.nix: decoding: %w", err)
	}
	sort.Slice(langs, func(i, j int) bool { return langs[i].Name < langs[j].Name })
	return langs, nil
}

// Packages are one language's package attribute paths three ways (nix/language-check.nix).
type Packages struct {
	Declared []string `json:"declared"` // nix/languages.nix
	Module   []string `json:"module"`   // what modules/development/languages/<name>.nix installs
	Shell    []string `json:"shell"`    // what devShells.<system>.<name> has

	Env map[string]string `json:"env"` // the environment, with marker store paths
}

// Compare evaluates nix/language-check.nix offline and returns an error naming every language
// whose host feature and shell do not install the same packages as it declares.
func Compare(ctx context.Context, root string) (map[string]Packages, error) {
	out, err := instantiate(ctx, root, "nix/language-check.nix")
	if err != nil {
		return nil, err
	}
	var res map[string]Packages
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("nix/language-check.nix: decoding: %w", err)
	}
	var bad []string
	for _, name := range slices.Sorted(maps.Keys(res)) {
		p := res[name]
		if !slices.Equal(p.Declared, p.Module) {
			bad = append(bad, fmt.Sprintf("language %s: feature lang-%s installs %v, nix/languages.nix declares %v", name, name, p.Module, p.Declared))
		}
		for _, v := range slices.Sorted(maps.Keys(p.Env)) {
			// pam_env's DEFAULT="..." cannot hold a double quote (environment.sessionVariables).
			if strings.Contains(p.Env[v], `"`) {
				bad = append(bad, fmt.Sprintf("language %s: %s contains a double quote, which pam_env cannot hold", name, v))
			}
		}
		if !slices.Equal(p.Declared, p.Shell) {
			bad = append(bad, fmt.Sprintf("language %s: devShell %s has %v, nix/languages.nix declares %v", name, name, p.Shell, p.Declared))
		}
	}
	if len(bad) > 0 {
		return res, errors.New(strings.Join(bad, "\n"))
	}
	return res, nil
}

func instantiate(ctx context.Context, root string, args ...string) ([]byte, error) {
	argv := append(append([]string{"--eval", "--strict", "--json"}, nix.EvalArgs()...), args...)
	cmd := exec.CommandContext(ctx, "nix-instantiate", argv...)
	cmd.Dir = root
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("nix-instantiate %s: %w: %s", strings.Join(args, " "), err, lastLine(stderr.String()))
	}
	return out, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && !strings.HasPrefix(l, "warning:") && !strings.HasPrefix(l, "(use") {
			return l
		}
	}
	return ""
}

// SkipError means the flake's inputs (nixpkgs) could not be fetched: no shell was entered.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string {
	return "SKIPPED: the flake inputs (nixpkgs) are not reachable, no shell was built: " + e.Reason
}

// Options say which shell to enter and how.
type Options struct {
	Root         string        // the hub's checkout (the flake)
	Language     string        // a name of nix/languages.nix
	Command      []string      // run this inside the shell instead of an interactive shell
	ProbeTimeout time.Duration // how long fetching the inputs may take before they count as unreachable
	Settings     nix.Settings  // nix.Real() for a person's machine
	// Offline runs nix in a network namespace of its own (unshare --net, needs root) with
	// --offline: only what this machine's store has. Tests use it: they send no packet anywhere.
	Offline bool
}

// command is name and args, inside a namespace without network when o.Offline.
func (o Options) command(ctx context.Context, args ...string) *exec.Cmd {
	if o.Offline {
		args = append([]string{"--net", "--", "nix", "--offline"}, args...)
		return exec.CommandContext(ctx, "unshare", args...)
	}
	return exec.CommandContext(ctx, "nix", args...)
}

// developArgs is the nix develop command line for o (what Enter runs after the probe).
func developArgs(o Options) []string {
	args := append([]string{"develop"}, o.Settings.Args()...)
	args = append(args, "--no-write-lock-file", o.Root+"#"+o.Language)
	if len(o.Command) > 0 {
		args = append(append(args, "--command"), o.Command...)
	}
	return args
}

// Enter checks the language, fetches the flake's inputs within ProbeTimeout (a *SkipError when
// they cannot be), then runs `nix develop ROOT#LANGUAGE` on this terminal.
func Enter(ctx context.Context, o Options) error {
	langs, err := Languages(ctx, o.Root)
	if err != nil {
		return err
	}
	var names []string
	for _, l := range langs {
		names = append(names, l.Name)
	}
	if !slices.Contains(names, o.Language) {
		return fmt.Errorf("no language %q in %s (want one of %s)", o.Language, filepath.Join(o.Root, "nix/languages.nix"), strings.Join(names, ", "))
	}
	probeCtx, cancel := context.WithTimeout(ctx, o.ProbeTimeout)
	probe := o.command(probeCtx, append(append([]string{"flake", "archive"}, o.Settings.Args()...), "--json", "--no-write-lock-file", o.Root)...)
	var stderr strings.Builder
	probe.Stderr = &stderr
	err = probe.Run()
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &SkipError{Reason: fmt.Sprintf("nix flake archive: %v: %s", err, lastLine(stderr.String()))}
	}
	cmd := o.command(ctx, developArgs(o)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("nix develop %s#%s: %w", o.Root, o.Language, err)
	}
	return nil
}

const neovimInitExpr = `import ./nix/neovim-init.nix { servers = builtins.concatMap (l: l.servers) (builtins.attrValues (import ./nix/languages.nix)); }`

// neovimInit renders the neovim feature's init.lua (nix/neovim-init.nix) on a host with every
// language feature enabled: the largest configuration the language list can produce.
func neovimInit(ctx context.Context, root string) (string, error) {
	out, err := instantiate(ctx, root, "--expr", neovimInitExpr)
	if err != nil {
		return "", err
	}
	var lua string
	if err := json.Unmarshal(out, &lua); err != nil {
		return "", fmt.Errorf("nix/neovim-init.nix: decoding: %w", err)
	}
	return lua, nil
}
