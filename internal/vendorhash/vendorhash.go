// Package vendorhash keeps the flake's buildGoModule vendorHash (nix/vendor-hash.nix) equal to the
// hash of what `go mod vendor` produces from the committed go.mod and go.sum. A stale hash only
// shows up as a "hash mismatch" on the first `nix build` on a networked machine; checking it here
// moves that failure into test:parallel, where it costs seconds.
//
// Entry points: [Check] and [Update].
package vendorhash

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/durablefile"
	"github.com/nixos-hub/hub/internal/nix"
)

// File is where the flake reads the hash from, relative to the repository root.
const File = "nix/vendor-hash.nix"

var hashRe = regexp.MustCompile(`"(sha256-[A-Za-z0-9+/=]+)"`)

// recorded returns the hash nix/vendor-hash.nix holds.
func recorded(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, File))
	if err != nil {
		return "", err
	}
	m := hashRe.FindSubmatch(data)
	if m == nil {
		return "", fmt.Errorf("%s: no \"sha256-...\" string", File)
	}
	return string(m[1]), nil
}

// compute vendors the module at root into a scratch copy of its go.mod, go.sum and Go sources
// and returns the SRI hash Nix computes for the vendor directory.
func compute(ctx context.Context, local *command.Host, root string) (string, error) {
	tmp, err := os.MkdirTemp("", "hub-vendor-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	// The packages go mod vendor keeps depend on which ones are imported, so the copy needs every
	// Go file (tests included), but nothing else.
	if err := copyGoTree(root, tmp); err != nil {
		return "", fmt.Errorf("vendor hash: copying sources: %w", err)
	}
	if _, err := local.Run(ctx, command.Cmd{Args: []string{"env", "-C", tmp, "go", "mod", "vendor"}}); err != nil {
		return "", fmt.Errorf("vendor hash: %w", err)
	}
	if _, err := os.Stat(filepath.Join(tmp, "vendor")); err != nil {
		return "", fmt.Errorf("vendor hash: go mod vendor made no vendor directory (no dependencies: the flake's vendorHash should be null)")
	}
	res, err := nix.On(local, nix.Real()).HashPath(ctx, filepath.Join(tmp, "vendor"), 0)
	if err != nil {
		return "", fmt.Errorf("vendor hash: %w", err)
	}
	return strings.TrimSpace(string(res.Stdout)), nil
}

// Check compares the recorded hash with a fresh one.
func Check(ctx context.Context, local *command.Host, root string) (string, error) {
	want, err := compute(ctx, local, root)
	if err != nil {
		return "", err
	}
	got, err := recorded(root)
	if err != nil {
		return "", err
	}
	if got != want {
		return want, fmt.Errorf("%s holds %s but go.mod/go.sum vendor to %s: run go tool mage nix:vendorHash", File, got, want)
	}
	return want, nil
}

// Update writes a fresh hash into nix/vendor-hash.nix, keeping its comments.
func Update(ctx context.Context, local *command.Host, root string) (old, new string, err error) {
	if new, err = compute(ctx, local, root); err != nil {
		return "", "", err
	}
	p := filepath.Join(root, File)
	data, err := os.ReadFile(p)
	if err != nil {
		return "", "", err
	}
	m := hashRe.FindSubmatchIndex(data)
	if m == nil {
		return "", "", fmt.Errorf("%s: no \"sha256-...\" string", File)
	}
	old = string(data[m[2]:m[3]])
	next := string(data[:m[2]]) + new + string(data[m[3]:])
	return old, new, durablefile.Write(p, []byte(next), 0o644)
}

func copyGoTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "vendor" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if d.Name() != "go.mod" && d.Name() != "go.sum" && !strings.HasSuffix(p, ".go") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}
