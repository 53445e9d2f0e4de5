// Package shlint runs ShellCheck over the shell scripts the hub ships: the ones it embeds and
// runs on hosts (the deploy's supervisor and internal/deploy/scripts, the installer wizard), the
// local fleet's init and launcher, and the templates its Nix fills in (@name@ fields, nix/localfleet). A script
// that dash runs is checked as sh, so a bashism fails here instead of on a host.
//
// Check is the entry point; Files lists what it checks.
//
// Entry point: [Check].
package shlint

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/srctree"
)

// field is a substitution Nix makes in a template (replaceStrings / substituteAll style).
var field = regexp.MustCompile(`@([A-Za-z_][A-Za-z0-9_]*)@`)

var unassigned = regexp.MustCompile(`: warning: (\S+) is referenced but not assigned\. \[SC2154\]$`)

// files lists the *.sh files below root (joined with it), skipping version control, run output
// and test data.
func files(root string) ([]string, error) {
	rel, err := srctree.Files(root, ".sh")
	for i, f := range rel {
		rel[i] = filepath.Join(root, f)
	}
	return rel, err
}

// Check runs shellcheck (warnings and errors; notes and style are left to taste) on every file
// of Files, printing its findings as file:line:col lines with the file relative to root, and
// returns how many files it checked and an error naming how many findings there were. A
// template's fields become variables first, @name@ -> $name_ (the same length, so the
// columns stay the template's): assigned by Nix, by substitution, so shellcheck is not told
// they are unassigned.
func Check(ctx context.Context, local *command.Host, root string, out io.Writer) (int, error) {
	files, err := files(root)
	if err != nil {
		return 0, err
	}
	findings := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		rel, _ := filepath.Rel(root, f)
		rewritten := field.ReplaceAll(src, []byte("$$${1}_"))
		assigned := map[string]bool{}
		for _, m := range field.FindAllSubmatch(src, -1) {
			assigned[string(m[1])+"_"] = true
		}
		res, err := local.Run(ctx, command.Cmd{Args: []string{"shellcheck", "-S", "warning", "-f", "gcc", "-"}, Stdin: bytes.NewReader(rewritten)})
		if err != nil && res.ExitCode != 1 { // 1: findings; anything else: shellcheck failed
			return 0, fmt.Errorf("%s: %w", rel, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(res.Stdout)), "\n") {
			if m := unassigned.FindStringSubmatch(line); m != nil && assigned[m[1]] {
				continue // a field
			}
			if rest, ok := strings.CutPrefix(line, "-:"); ok {
				fmt.Fprintf(out, "%s:%s\n", rel, rest)
				findings++
			}
		}
	}
	if findings > 0 {
		return len(files), fmt.Errorf("shellcheck: %d finding(s) in %d script(s)", findings, len(files))
	}
	return len(files), nil
}
