package format

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A tree with one formatted and one unformatted file per language, a suffix-less script, and
// test data that is never touched: -check lists exactly the unformatted ones and writes
// nothing; then formatting rewrites them and -check is clean.
func TestCheckThenWrite(t *testing.T) {
	for _, tool := range []string{"gofmt", "shfmt"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (go tool mage fmt installs shfmt)", tool)
		}
	}
	root := t.TempDir()
	write(t, filepath.Join(root, "ok.go"), "package x\n\nfunc F() {}\n")
	bad := "package x\nfunc  G( ) {  }\n"
	write(t, filepath.Join(root, "pkg", "bad.go"), bad)
	write(t, filepath.Join(root, "pkg", "testdata", "fixture.go"), bad)
	write(t, filepath.Join(root, "ok.sh"), "if true; then\n  echo hi\nfi\n")
	write(t, filepath.Join(root, "bin", "run"), "#!/bin/sh\nif true;then\necho   hi\nfi\n")
	write(t, filepath.Join(root, "README"), "not a script\n")
	local := (&command.Executor{}).Local()

	res, err := Run(t.Context(), local, Options{Root: root, Only: []string{"go", "shell"}, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range res {
		got[r.Language] = strings.Join(r.Changed, ",")
	}
	if got["go"] != "pkg/bad.go" || got["shell"] != "bin/run" {
		t.Fatalf("-check listed %v, want pkg/bad.go and bin/run", got)
	}
	if err := Err(res, true); err == nil || !strings.Contains(err.Error(), "2 files not formatted: pkg/bad.go, bin/run") {
		t.Errorf("Err = %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "pkg", "bad.go")); string(b) != bad {
		t.Errorf("-check wrote pkg/bad.go:\n%s", b)
	}

	if res, err = Run(t.Context(), local, Options{Root: root, Only: []string{"go", "shell"}}); err != nil || Err(res, false) != nil {
		t.Fatalf("format: %v %v", err, Err(res, false))
	}
	if b, _ := os.ReadFile(filepath.Join(root, "pkg", "bad.go")); string(b) != "package x\n\nfunc G() {}\n" {
		t.Errorf("pkg/bad.go after fmt:\n%s", b)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "pkg", "testdata", "fixture.go")); string(b) != bad {
		t.Errorf("test data was rewritten:\n%s", b)
	}
	res, err = Run(t.Context(), local, Options{Root: root, Only: []string{"go", "shell"}, Check: true})
	if err != nil || Err(res, true) != nil {
		t.Errorf("after fmt, -check: %v %v", err, Err(res, true))
	}
	var b bytes.Buffer
	Write(&b, res, true)
	if !strings.Contains(b.String(), "shell     shfmt      2      ok") {
		t.Errorf("table:\n%s", b.String())
	}
}

// A language without a formatter on PATH is SKIPPED, and that is an error: its files were
// neither formatted nor checked.
func TestMissingFormatterIsSkippedNotPassed(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "a.nix"), "{ }:  {}\n")
	t.Setenv("PATH", t.TempDir())
	res, err := Run(t.Context(), (&command.Executor{}).Local(), Options{Root: root, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	if res[1].Language != "nix" || res[1].Files != 1 || !strings.Contains(res[1].Skipped, "nixfmt") {
		t.Fatalf("nix result %+v", res[1])
	}
	if err := Err(res, true); err == nil || err.Error() != "SKIPPED nix (1 files): no formatter on PATH (see above)" {
		t.Errorf("Err = %v", err)
	}
	if _, err := Run(t.Context(), (&command.Executor{}).Local(), Options{Root: root, Only: []string{"rust"}}); err == nil ||
		err.Error() != `-only: no language "rust" (languages: go, nix, shell)` {
		t.Errorf("unknown language: %v", err)
	}
}

// A dry run prints the formatter's command and says it checked nothing, never "ok".
func TestDryRunIsNotOK(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "a.go"), "package a\nfunc  F() {}\n")
	var out bytes.Buffer
	e := &command.Executor{DryRun: true, Out: &out}
	res, err := Run(t.Context(), e.Local(), Options{Root: root, Only: []string{"go"}, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	Write(&b, res, true)
	if !res[0].DryRun || !strings.Contains(b.String(), "dry run: not checked") || !strings.Contains(out.String(), "[dry-run] local: gofmt -l ") {
		t.Errorf("dry run: %+v\n%s\n%s", res, b.String(), out.String())
	}
}
