package deploy

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/parallel"
)

// TestDescribeSystemUnits runs the script deploy:history runs on a host against two system
// trees made here: units are compared by content, *.wants directories are not units, and the
// kernel's version comes from the package holding the image.
func TestDescribeSystemUnits(t *testing.T) {
	dir := t.TempDir()
	mk := func(sys, kernel string, units map[string]string) string {
		root := filepath.Join(dir, sys)
		kdir := filepath.Join(dir, "store", strings.Repeat("0", 32)+"-linux-"+kernel)
		for _, d := range []string{filepath.Join(root, "etc/systemd/system/multi-user.target.wants"), kdir} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(kdir, "bzImage"), []byte("k"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(kdir, "bzImage"), filepath.Join(root, "kernel")); err != nil {
			t.Fatal(err)
		}
		for name, content := range units {
			// As on NixOS: each unit a link to a file elsewhere.
			target := filepath.Join(dir, "store", sys+"-"+name)
			if err := os.WriteFile(target, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, filepath.Join(root, "etc/systemd/system", name)); err != nil {
				t.Fatal(err)
			}
		}
		return root
	}
	a := mk("a", "6.12.40", map[string]string{"sshd.service": "v1", "old.service": "x", "same.timer": "t"})
	b := mk("b", "6.12.41", map[string]string{"sshd.service": "v2", "new.service": "y", "same.timer": "t"})
	e := &command.Executor{}
	local := e.Local()
	ua, ka, err := describeSystem(context.Background(), local, a)
	if err != nil {
		t.Fatal(err)
	}
	ub, kb, err := describeSystem(context.Background(), local, b)
	if err != nil {
		t.Fatal(err)
	}
	if ka != "6.12.40" || kb != "6.12.41" {
		t.Errorf("kernels %q, %q", ka, kb)
	}
	got := diffUnits(ua, ub)
	want := UnitChanges{Added: []string{"new.service"}, Removed: []string{"old.service"}, Changed: []string{"sshd.service"}}
	if !slices.Equal(got.Added, want.Added) || !slices.Equal(got.Removed, want.Removed) || !slices.Equal(got.Changed, want.Changed) {
		t.Errorf("units %+v, want %+v", got, want)
	}
}

func TestWriteHistory(t *testing.T) {
	at := time.Date(2026, 11, 30, 8, 15, 0, 0, time.UTC)
	d := SystemDiff{Host: "dex5550",
		From:     Generation{Number: 41, Created: at.Add(-48 * time.Hour), Path: "/nix/store/" + strings.Repeat("a", 32) + "-nixos-system-dex5550-25.11.1"},
		To:       Generation{Number: 42, Created: at, Path: "/nix/store/" + strings.Repeat("b", 32) + "-nixos-system-dex5550-25.11.2"},
		FromSize: 3 << 30, ToSize: 3<<30 + 5<<20, FromKernel: "6.12.40", ToKernel: "6.12.41",
		Units:   UnitChanges{Added: []string{"grafana-backup.timer"}, Changed: []string{"grafana.service", "sshd.service"}},
		Changes: []Change{{Name: "grafana", From: []string{"12.0.1"}, To: []string{"12.0.2"}}, {Name: "linux", From: []string{"6.12.40"}, To: []string{"6.12.41"}}},
	}
	var b bytes.Buffer
	if err := WriteHistory(&b, d); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/history.golden", b.Bytes())
}

// TestHistoryAndPrune deploys three generations to a local host, compares the last two, then
// prunes to one: the running generation and the booted one (the host never rebooted) stay,
// the others' systems leave the host's store, and the boot entry is rewritten.
func TestHistoryAndPrune(t *testing.T) {
	f := startFleet(t, []string{"p620"})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for _, kernel := range []string{"6.6.1", "6.6.1", "6.6.2"} {
		f.next(t, localfleet.Variant{Kernel: kernel}, "p620")
		res, out := f.deploy(t, ctx, "p620", nil)
		if h := hostResult(t, res.Report, "p620"); h.Status != parallel.StatusOK {
			t.Fatalf("deploy: %s (%v)\n%s", h.Status, h.Err, out)
		}
	}
	inv := f.inv(t)
	h, _ := inv.Host("p620")
	e := &command.Executor{}
	defer e.Close()
	remote := e.SSH(h.Name, h.SSH)
	gens, err := Generations(ctx, remote)
	if err != nil {
		t.Fatal(err)
	}
	if len(gens) != 4 {
		t.Fatalf("%d generations, want 4: %+v", len(gens), gens)
	}

	d, err := History(ctx, remote, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.From.Number != gens[2].Number || d.To.Number != gens[3].Number || d.FromKernel != "6.6.1" || d.ToKernel != "6.6.2" || d.FromSize <= 0 || d.ToSize <= 0 {
		t.Errorf("history: %d -> %d, kernel %s -> %s, closure %d -> %d", d.From.Number, d.To.Number, d.FromKernel, d.ToKernel, d.FromSize, d.ToSize)
	}
	if i := slices.IndexFunc(d.Changes, func(c Change) bool { return c.Name == "linux" }); i < 0 || !slices.Contains(d.Changes[i].To, "6.6.2") {
		t.Errorf("history: no linux upgrade in %+v", d.Changes)
	}
	if d, err := History(ctx, remote, gens[0].Number, gens[1].Number); err != nil || d.FromKernel != "6.6.0" || d.ToKernel != "6.6.1" {
		t.Errorf("history -from %d -to %d: %v, kernel %s -> %s", gens[0].Number, gens[1].Number, err, d.FromKernel, d.ToKernel)
	}
	if _, err := History(ctx, remote, 0, gens[0].Number); err == nil || !strings.Contains(err.Error(), "is the oldest") {
		t.Errorf("history of the oldest generation: %v", err)
	}

	// A stale boot entry, as a full /boot leaves behind: prune must write it again.
	lh, _ := f.lf.Host("p620")
	entry := filepath.Join(lh.Dir, "nix", "var", "localfleet", "boot-entry")
	if err := os.Remove(entry); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(gens[1].Path, entry); err != nil {
		t.Fatal(err)
	}
	res, err := Prune(ctx, remote, PruneOptions{Keep: 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{gens[1].Number, gens[2].Number}; !slices.Equal(res.Deleted, want) {
		t.Errorf("deleted %v, want %v (gen %d is booted, gen %d running)", res.Deleted, want, gens[0].Number, gens[3].Number)
	}
	var kept []int
	for _, g := range res.Kept {
		kept = append(kept, g.Number)
	}
	if want := []int{gens[0].Number, gens[3].Number}; !slices.Equal(kept, want) {
		t.Errorf("kept %v, want %v", kept, want)
	}
	for _, g := range gens[1:3] {
		if _, err := os.Stat(filepath.Join(lh.Dir, g.Path)); !os.IsNotExist(err) {
			t.Errorf("generation %d's system %s is still in the host's store (%v)", g.Number, g.Path, err)
		}
	}
	for _, g := range []Generation{gens[0], gens[3]} {
		if _, err := os.Stat(filepath.Join(lh.Dir, g.Path)); err != nil {
			t.Errorf("kept generation %d's system is gone: %v", g.Number, err)
		}
	}
	if got, _ := os.Readlink(entry); got != gens[3].Path {
		t.Errorf("boot entry %s, want the current generation's %s", got, gens[3].Path)
	}
	if got := f.consistent(t, "p620"); got != gens[3].Path {
		t.Errorf("p620 runs %s after the prune, want %s", got, gens[3].Path)
	}
	if _, err := Prune(ctx, remote, PruneOptions{Keep: 0}); err == nil || !strings.Contains(err.Error(), "keep at least") {
		t.Errorf("keep 0: %v", err)
	}
}
