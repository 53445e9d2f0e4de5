package vendorhash

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
)

func TestRecordedAndUpdate(t *testing.T) {
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("needs nix (Debian nix-bin)")
	}
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "nix"), 0o755)
	os.MkdirAll(filepath.Join(root, "cmd"), 0o755)
	// A local replace gives the module a dependency to vendor without touching the network.
	os.MkdirAll(filepath.Join(root, "dep"), 0o755)
	os.WriteFile(filepath.Join(root, "dep", "go.mod"), []byte("module example.com/dep\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(root, "dep", "dep.go"), []byte("package dep\n\nconst X = 1\n"), 0o644)
	os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/x\n\ngo 1.26\n\nrequire example.com/dep v0.0.0\n\nreplace example.com/dep => ./dep\n"), 0o644)
	os.WriteFile(filepath.Join(root, "cmd", "main.go"), []byte("package main\n\nimport \"example.com/dep\"\n\nfunc main() { _ = dep.X }\n"), 0o644)
	const stale = "# how to recompute\n\"sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n"
	os.WriteFile(filepath.Join(root, File), []byte(stale), 0o644)

	got, err := recorded(root)
	if err != nil || got != "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" {
		t.Fatalf("Recorded = %q, %v", got, err)
	}
	local := (&command.Executor{}).Local()
	ctx := context.Background()
	if _, err := Check(ctx, local, root); err == nil || !strings.Contains(err.Error(), "run go tool mage nix:vendorHash") {
		t.Fatalf("stale hash: err = %v", err)
	}
	old, fresh, err := Update(ctx, local, root)
	if err != nil {
		t.Fatal(err)
	}
	if old != got || !strings.HasPrefix(fresh, "sha256-") || fresh == old {
		t.Fatalf("Update = %q -> %q", old, fresh)
	}
	data, _ := os.ReadFile(filepath.Join(root, File))
	if string(data) != strings.Replace(stale, old, fresh, 1) {
		t.Errorf("Update rewrote more than the hash:\n%s", data)
	}
	if _, err := Check(ctx, local, root); err != nil {
		t.Errorf("fresh hash: %v", err)
	}

	os.WriteFile(filepath.Join(root, File), []byte("null\n"), 0o644)
	if _, err := recorded(root); err == nil || err.Error() != `nix/vendor-hash.nix: no "sha256-..." string` {
		t.Errorf("no hash: err = %v", err)
	}
}
