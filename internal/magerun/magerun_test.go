package magerun_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/localfleet"
)

// TestConcurrentRunsAfterAChange starts runs of the real wrapper (cmd/mage, what `go tool mage`
// runs) together on a magefiles directory that has just changed, so that every one of them
// generates mage's main into the directory and compiles: with plain mage they remove each
// other's generated file. All must succeed, print their target's output, and leave no
// generated file behind. Bounded: 6 runs, 3 rounds, 5 minutes.
func TestConcurrentRunsAfterAChange(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles mage several times")
	}
	root, err := localfleet.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	wrapper := filepath.Join(tmp, "mage-wrapper")
	build := exec.Command("go", "build", "-o", wrapper, "./cmd/mage")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/mage: %v\n%s", err, out)
	}
	mod := filepath.Join(tmp, "mod")
	mf := filepath.Join(mod, "magefiles")
	if err := os.MkdirAll(mf, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(mod, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/m\n\ngo 1.26\n")
	const runs, rounds = 6, 3
	for round := range rounds {
		// A change every round: mage's binary cache cannot serve it, each run compiles.
		write("magefiles/magefile.go", fmt.Sprintf(`//go:build mage

package main

import "fmt"

// Hello greets with NAME.
func Hello(name string) error { fmt.Println("hello", name, %d); return nil }
`, round))
		var wg sync.WaitGroup
		outs := make([]string, runs)
		errs := make([]error, runs)
		for i := range runs {
			wg.Go(func() {
				cmd := exec.Command(wrapper, "hello", fmt.Sprint("run", i))
				cmd.Dir = mod
				cmd.Env = append(os.Environ(), "MAGEFILE_CACHE="+filepath.Join(tmp, "cache"))
				timer := time.AfterFunc(5*time.Minute, func() { _ = cmd.Process.Kill() })
				defer timer.Stop()
				out, err := cmd.CombinedOutput()
				outs[i], errs[i] = string(out), err
			})
		}
		wg.Wait()
		for i := range runs {
			want := fmt.Sprintf("hello run%d %d", i, round)
			if errs[i] != nil || !strings.Contains(outs[i], want) {
				t.Errorf("round %d run %d: %v, want %q in:\n%s", round, i, errs[i], want, outs[i])
			}
		}
		if _, err := os.Stat(filepath.Join(mf, "mage_output_file.go")); !os.IsNotExist(err) {
			t.Errorf("round %d left mage_output_file.go behind (%v)", round, err)
		}
	}
}
