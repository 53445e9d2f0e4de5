package nixparse

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseErrorFormats(t *testing.T) {
	tests := []struct {
		name, stderr string
		want         string
	}{
		{"nix 2.8+", "error: syntax error, unexpected ';'\n\n       at /r/m.nix:2:7:\n\n            1| { a = 1;\n", "m.nix:2:7: syntax error, unexpected ';'"},
		{"old inline", "error: syntax error, unexpected '}', expecting ';', at /r/m.nix:4:1\n", "m.nix:4:1: syntax error, unexpected '}', expecting ';'"},
		{"no location", "error: getting status of '/r/m.nix': No such file or directory\n", "m.nix: getting status of '/r/m.nix': No such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseError("m.nix", "/r/m.nix", tt.stderr).Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckRealNix(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("needs nix-instantiate (Debian nix-bin; go tool mage test:parallel installs it)")
	}
	root := t.TempDir()
	files := map[string]string{
		"good.nix":             "{ lib, ... }: { options.x = lib.mkOption { }; }\n",
		"mod/also-good.nix":    "let a = 1; in { b = a + 1; }\n",
		"mod/bad.nix":          "{ a = 1;\n  b = ;\n}\n",
		"bad2.nix":             "{ x = \"unterminated; }\n",
		".git/ignored.nix":     "{ not parsed",
		".hub/runs/ignore.nix": "{ not parsed",
	}
	for name, content := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	n, err := Check(context.Background(), root)
	if n != 4 {
		t.Errorf("checked %d files, want 4", n)
	}
	if err == nil {
		t.Fatal("want parse errors")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "bad2.nix:") || !strings.HasPrefix(lines[1], "mod/bad.nix:2:7: syntax error, unexpected ';'") {
		t.Errorf("errors:\n%s", err)
	}
	os.Remove(filepath.Join(root, "mod/bad.nix"))
	os.Remove(filepath.Join(root, "bad2.nix"))
	if n, err := Check(context.Background(), root); err != nil || n != 2 {
		t.Errorf("clean tree: n=%d err=%v", n, err)
	}
}
