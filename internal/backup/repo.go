package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/durablefile"
)

// Bundle is a verified git bundle of the hub's repository.
type Bundle struct {
	Path   string
	Size   int64
	SHA256 string
	Refs   int // refs the bundle carries
}

// BundleRepo writes a git bundle of every ref of the repository at repoDir into outDir, named by
// the time, and proves it with `git bundle verify` before reporting it: the configuration itself
// is then one file away from `git clone`.
func BundleRepo(ctx context.Context, local *command.Host, repoDir, outDir string, now time.Time) (Bundle, error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return Bundle{}, fmt.Errorf("repo bundle: %w", err)
	}
	name := filepath.Join(outDir, "hub-"+now.UTC().Format("20060102T150405Z")+".bundle")
	// git writes the bundle (and its own .lock) in a directory of this call's beside the
	// bundles, removed on every return; only a verified bundle is moved to its name, durably.
	work, err := os.MkdirTemp(outDir, ".bundle-")
	if err != nil {
		return Bundle{}, fmt.Errorf("repo bundle: %w", err)
	}
	defer os.RemoveAll(work)
	tmp := filepath.Join(work, filepath.Base(name))
	if _, err := local.Run(ctx, command.Cmd{Args: []string{"git", "-C", repoDir, "bundle", "create", "--quiet", tmp, "--all"}}); err != nil {
		return Bundle{}, fmt.Errorf("repo bundle %s: create: %w", repoDir, err)
	}
	if _, err := local.Run(ctx, command.Cmd{Args: []string{"git", "-C", repoDir, "bundle", "verify", tmp}}); err != nil {
		return Bundle{}, fmt.Errorf("repo bundle %s: verify: %w", name, err)
	}
	refs, err := local.Output(ctx, "git", "bundle", "list-heads", tmp)
	if err != nil {
		return Bundle{}, fmt.Errorf("repo bundle %s: list heads: %w", name, err)
	}
	if err := durablefile.Rename(tmp, name); err != nil {
		return Bundle{}, fmt.Errorf("repo bundle: %w", err)
	}
	b := Bundle{Path: name, Refs: len(strings.Split(strings.TrimSpace(refs), "\n"))}
	b.SHA256, b.Size, err = fileSHA256(name)
	if err != nil {
		return Bundle{}, fmt.Errorf("repo bundle: %w", err)
	}
	return b, nil
}

func fileSHA256(name string) (string, int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
