package secrets

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"filippo.io/age"

	"github.com/nixos-hub/hub/internal/durablefile"
	"github.com/nixos-hub/hub/internal/piddir"
)

// Filesystem magic numbers (statfs f_type) of the memory-backed filesystems plaintext may touch.
const (
	tmpfsMagic = 0x01021994
	ramfsMagic = 0x858458f6
)

// memoryBacked reports whether dir lives on tmpfs or ramfs, where a plaintext file never reaches a
// disk (swap aside).
func memoryBacked(dir string) (bool, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return false, fmt.Errorf("statfs %s: %w", dir, err)
	}
	t := uint32(st.Type)
	return t == tmpfsMagic || t == ramfsMagic, nil
}

// MemoryDir picks the directory for plaintext: the first memory-backed one of candidates (callers
// pass $XDG_RUNTIME_DIR and /dev/shm). With none, it refuses unless force is set, and then uses
// the first candidate that exists.
func MemoryDir(candidates []string, force bool) (string, error) {
	var existing []string
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if st, err := os.Stat(c); err != nil || !st.IsDir() {
			continue
		}
		existing = append(existing, c)
		if ok, err := memoryBacked(c); err == nil && ok {
			return c, nil
		}
	}
	if force && len(existing) > 0 {
		return existing[0], nil
	}
	return "", fmt.Errorf("no memory-backed directory for plaintext among %s (need tmpfs or ramfs); pass -force to use a disk-backed one", strings.Join(nonEmpty(candidates), ", "))
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// editorCommand builds the editor invocation. vim and nvim would write swap, undo, backup and
// viminfo/shada files holding plaintext next to the file or in $HOME: turn all of them off.
func editorCommand(editor, file string) []string {
	args := strings.Fields(editor)
	if len(args) == 0 {
		args = []string{"vi"}
	}
	switch filepath.Base(args[0]) {
	case "vim", "vi", "gvim", "nvim":
		// --cmd runs before the user's vimrc, which may turn undofile or backup back on (with
		// undodir/backupdir in $HOME); -c runs after it and after the file is loaded, before
		// anything is written. Both are needed: the first covers what happens while loading.
		const off = "set nobackup nowritebackup noundofile noswapfile"
		args = append(args, "-n", "-i", "NONE", "--cmd", off, "-c", off)
	}
	return append(args, file)
}

// plaintextPrefix names the private directories (internal/piddir) holding a secret's plaintext while
// it is edited.
const plaintextPrefix = "hub-secret-"

// EditOptions configure one edit session.
type EditOptions struct {
	Entry      *Entry
	Identities []age.Identity
	// New creates the secret; it must not exist yet.
	New bool
	// Editor is $EDITOR; TmpDir a directory from MemoryDir.
	Editor string
	TmpDir string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Edit decrypts the secret to a 0600 file in a private directory under TmpDir, runs the editor,
// and re-encrypts only if the content changed. The plaintext directory is removed on every exit
// path, including SIGTERM and SIGHUP; SIGINT is left to the editor, which uses it for itself.
func Edit(ctx context.Context, o EditOptions) (changed bool, err error) {
	e := o.Entry
	var plaintext []byte
	_, statErr := os.Stat(e.Path)
	switch {
	case o.New && statErr == nil:
		return false, fmt.Errorf("%s already exists: use secrets:edit", e.Name)
	case !o.New:
		if plaintext, err = DecryptFile(e.Path, o.Identities); err != nil {
			return false, err
		}
	}
	// The plaintext of an edit whose hub was killed outright (SIGKILL, a crash) is still in
	// memory under TmpDir: the next edit removes it.
	piddir.Sweep(o.TmpDir, plaintextPrefix, nil)
	dir, err := piddir.Make(o.TmpDir, plaintextPrefix)
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, strings.TrimSuffix(filepath.Base(e.Name), ".age"))
	if err := os.WriteFile(file, plaintext, 0o600); err != nil {
		return false, err
	}

	sigCtx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	ints := make(chan os.Signal, 1)
	signal.Notify(ints, os.Interrupt)
	defer signal.Stop(ints)

	args := editorCommand(o.Editor, file)
	cmd := exec.CommandContext(sigCtx, args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = o.Stdin, o.Stdout, o.Stderr
	runErr := cmd.Run()
	if sigCtx.Err() != nil {
		return false, fmt.Errorf("%s: interrupted, file left unchanged", e.Name)
	}
	if runErr != nil {
		return false, fmt.Errorf("%s: editor %s: %w (file left unchanged)", e.Name, args[0], runErr)
	}
	edited, err := os.ReadFile(file)
	if err != nil {
		return false, err
	}
	if bytes.Equal(edited, plaintext) && !o.New {
		return false, nil
	}
	if len(edited) == 0 && o.New {
		return false, fmt.Errorf("%s: empty secret, not created", e.Name)
	}
	ct, err := Encrypt(edited, e.Recipients, e.Armor)
	if err != nil {
		return false, fmt.Errorf("%s: encrypt: %w", e.Name, err)
	}
	if o.New {
		// secrets:new sub/x.age creates sub/, as agenix does.
		if err := os.MkdirAll(filepath.Dir(e.Path), 0o755); err != nil {
			return false, fmt.Errorf("%s: %w", e.Name, err)
		}
	}
	if err := durablefile.Write(e.Path, ct, 0o644); err != nil {
		return false, fmt.Errorf("%s: %w", e.Name, err)
	}
	return true, nil
}
