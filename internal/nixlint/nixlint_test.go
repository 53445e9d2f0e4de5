package nixlint

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestLint(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // "line:rule"
	}{
		{"dead let", "let a = 1; b = 2; in b", []string{"1:dead-let"}},
		{"dead inherited let", "let inherit (builtins) head tail; in head [ 1 ]", []string{"1:dead-let"}},
		{"let used in a string", "let a = \"x\"; b = ''\n  ${a}\n''; in \"${b}\"", nil},
		{"let used in a nested interpolation", "let a = 1; in \"${toString { x = a; }.x}\"", nil},
		{"let used by inherit", "let a = 1; in { inherit a; }", nil},
		{"let name is only an attribute elsewhere", "let port = 1; in { cfg.port = 2; x = y.port; }", []string{"1:dead-let"}},
		{"empty let", "let in 1", []string{"1:empty-let"}},
		{"unused argument", "{ config, lib, ... }:\n{ x = lib.mkIf true 1; }", []string{"1:unused-arg"}},
		{"argument used as a default", "{ a, b ? a, ... }: b", nil},
		{"no ellipsis: every argument must be named", "{ self }: { }", nil},
		{"has-attribute is not a use", "{ a, ... }: x ? a", []string{"1:unused-arg"}},
		{"bool compare", "x: if x == true then 1 else (false != x)", []string{"1:bool-compare", "1:bool-compare"}},
		{"true as an attribute is fine", "x: x.true == 1", nil},
		{"manual inherit", "{ a }: { a = a; b = a; }", []string{"1:manual-inherit"}},
		{"top-level with", "{ pkgs, ... }:\nwith pkgs;\n{ environment.systemPackages = [ hello ]; }", []string{"2:top-level-with"}},
		{"scoped with", "{ pkgs, ... }:\n{ environment.systemPackages = with pkgs; [ hello ]; }", nil},
		{"deprecated builtins", "x: [ (builtins.toPath x) (isNull x) (builtins.isNull x) ]", []string{"1:deprecated", "1:deprecated", "1:deprecated"}},
		{"allowed on the line above", "let\n  # nixlint: allow dead-let\n  a = 1;\nin 2", nil},
		{"allowed on the line", "let a = 1; # nixlint: allow dead-let, empty-let\nin 2", nil},
		{"allow names another rule", "let a = 1; # nixlint: allow empty-let\nin 2", []string{"1:dead-let"}},
		{"comments, paths and URIs are no uses", "let a = 1; b = 2; in [ ./a/b.nix <nixpkgs> https://a.example/b /* a */ ] # b", []string{"1:dead-let", "1:dead-let"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := lint("t.nix", tc.src)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, strings.Join([]string{itoa(f.Line), f.Rule}, ":"))
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("findings %v, want %v: %v", got, tc.want, fs)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestLexErrors(t *testing.T) {
	for src, want := range map[string]string{
		"let a = \"x; in a":   "t.nix: line 1: unterminated string",
		"\n/* open":           "t.nix: line 2: unterminated comment",
		"''\n  ${ a\n":        "t.nix: line 3: unterminated ${ interpolation",
		"x: ''a ''${b} ''' c": "t.nix: line 1: unterminated string",
	} {
		if _, err := lint("t.nix", src); err == nil || err.Error() != want {
			t.Errorf("Lint(%q) = %v, want %s", src, err, want)
		}
	}
}

// Check walks a tree, skips test data and reports file:line findings.
func TestCheckTree(t *testing.T) {
	root := t.TempDir()
	for name, src := range map[string]string{
		"modules/a.nix":          "{ lib, pkgs, ... }:\n{ x = lib.id 1; }\n",
		"modules/ok.nix":         "{ lib, ... }:\nlib.id 1\n",
		"pkg/x/testdata/bad.nix": "let a = 1; in 2\n",
	} {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n, fs, err := Check(t.Context(), root)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || len(fs) != 1 || fs[0].String() != "modules/a.nix:1: unused-arg: argument pkgs is never used: drop it (the module system passes what is named, and `...` takes the rest)" {
		t.Errorf("Check = %d files, %v", n, fs)
	}
	if err := Err(fs); err == nil || !strings.HasPrefix(err.Error(), "1 Nix lint finding(s), first modules/a.nix:1: unused-arg") {
		t.Errorf("Err = %v", err)
	}
}
