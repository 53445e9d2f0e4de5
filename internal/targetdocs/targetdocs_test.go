package targetdocs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/durablefile/durabletest"
)

func TestTargets(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.go"), []byte(`//go:build mage

package main

import (
	"context"

	"github.com/magefile/mage/mg"
)

type Hosts mg.Namespace

// List shows every host. It reads the inventory.
func (Hosts) List(ctx context.Context, json *bool) error { return nil }

// Ping checks reachability of the selected hosts.
func (Hosts) Ping(ctx context.Context, selection string, timeout *string) error { return nil }

// Demo runs the main job on the local fleet.
func Demo(ctx context.Context) error { return nil }

func helper() {}

// Load is exported but not a target: it returns a value.
func Load() (int, error) { return 0, nil }
`), 0o644)
	ts, err := Targets(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := table(ts)
	want := "| target | arguments | what it does |\n|---|---|---|\n" +
		"| `demo` |  | Runs the main job on the local fleet. |\n" +
		"| `hosts:list` | `[-json]` | Shows every host. |\n" +
		"| `hosts:ping` | `SELECTION [-timeout]` | Checks reachability of the selected hosts. |\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	os.WriteFile(filepath.Join(dir, "b.go"), []byte("package main\n\nfunc (Hosts) Show() error { return nil }\n"), 0o644)
	if _, err := Targets(dir); err == nil || !strings.Contains(err.Error(), "target hosts:show has no doc comment") {
		t.Errorf("missing doc comment: err = %v", err)
	}
}

func TestSplice(t *testing.T) {
	readme := []byte("# x\n" + start + "\nold\n" + end + "\nafter\n")
	got, err := splice(readme, "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "# x\n" + start + "\nnew\n" + end + "\nafter\n"; string(got) != want {
		t.Errorf("got %q", got)
	}
	if _, err := splice([]byte("no markers"), "x"); err == nil {
		t.Error("want an error without markers")
	}
}

// TestReadmeInSync fails when the README's target table drifts from the magefiles.
func TestReadmeInSync(t *testing.T) {
	ts, err := Targets("../../magefiles")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := splice(readme, table(ts))
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(readme) {
		t.Error("README.md's target table is out of date: run `go tool mage docs:targets`")
	}
}

// Update replaces the README whole: its mode is kept, and a write cut short midway (the disk
// full) leaves the old README, not one truncated after a few bytes of the table.
func TestUpdateReplacesTheReadmeWhole(t *testing.T) {
	if durabletest.InChild(t) {
		return // FailWritesPast's limit is the child's alone
	}
	mage := t.TempDir()
	os.WriteFile(filepath.Join(mage, "a.go"), []byte("package main\n\nimport \"context\"\n\n// Demo runs the main job on the local fleet.\nfunc Demo(ctx context.Context) error { return nil }\n"), 0o644)
	dir := t.TempDir()
	readme := filepath.Join(dir, "README.md")
	old := "# hub\n" + start + "\nold table\n" + end + "\nThe rest of the README.\n"
	if err := os.WriteFile(readme, []byte(old), 0o640); err != nil {
		t.Fatal(err)
	}
	os.Chmod(readme, 0o640)

	var err error
	durabletest.FailWritesPast(t, 16, func() { _, err = Update(mage, readme) })
	if err == nil {
		t.Fatal("Update cut short reported success")
	}
	if b, _ := os.ReadFile(readme); string(b) != old {
		t.Errorf("README after a write cut short:\n%s\nwant the old one whole", b)
	}
	durabletest.NoTempFiles(t, dir)

	changed, err := Update(mage, readme)
	if err != nil || !changed {
		t.Fatalf("Update = %v, %v", changed, err)
	}
	b, _ := os.ReadFile(readme)
	if !strings.Contains(string(b), "| `demo` |  | Runs the main job on the local fleet. |\n") || !strings.HasSuffix(string(b), "The rest of the README.\n") {
		t.Errorf("README:\n%s", b)
	}
	if st, _ := os.Stat(readme); st.Mode().Perm() != 0o640 {
		t.Errorf("README mode %v, want its own 0640 kept", st.Mode().Perm())
	}
	durabletest.NoTempFiles(t, dir)
}
