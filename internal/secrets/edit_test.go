package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/nixos-hub/hub/internal/command"
)

func TestEditorCommand(t *testing.T) {
	off := []string{"-n", "-i", "NONE", "--cmd", "set nobackup nowritebackup noundofile noswapfile", "-c", "set nobackup nowritebackup noundofile noswapfile"}
	tests := []struct {
		editor string
		want   []string
	}{
		{"vim", append(append([]string{"vim"}, off...), "/m/f")},
		{"/usr/bin/nvim", append(append([]string{"/usr/bin/nvim"}, off...), "/m/f")},
		{"nano", []string{"nano", "/m/f"}},
		{"code --wait", []string{"code", "--wait", "/m/f"}},
		{"", append(append([]string{"vi"}, off...), "/m/f")},
	}
	for _, tt := range tests {
		if got := editorCommand(tt.editor, "/m/f"); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("EditorCommand(%q) = %q, want %q", tt.editor, got, tt.want)
		}
	}
}

func requireShm(t *testing.T) string {
	ok, err := memoryBacked("/dev/shm")
	if err != nil || !ok {
		t.Skip("/dev/shm is not tmpfs here")
	}
	return "/dev/shm"
}

func TestMemoryDir(t *testing.T) {
	shm := requireShm(t)
	disk := t.TempDir()
	if ok, _ := memoryBacked(disk); ok {
		t.Skip("the test temp dir is memory-backed; no disk-backed dir to refuse")
	}
	if got, err := MemoryDir([]string{"", disk, shm}, false); err != nil || got != shm {
		t.Errorf("MemoryDir = %q, %v", got, err)
	}
	_, err := MemoryDir([]string{"", disk, "/nonexistent"}, false)
	want := "no memory-backed directory for plaintext among " + disk + ", /nonexistent (need tmpfs or ramfs); pass -force to use a disk-backed one"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
	if got, err := MemoryDir([]string{disk}, true); err != nil || got != disk {
		t.Errorf("forced MemoryDir = %q, %v", got, err)
	}
}

// TestEditPlaintextStaysInMemory edits with a script as $EDITOR and then searches every disk-backed
// directory involved (the secrets dir, the temp dir, the editor's cwd) for the plaintext.
func TestEditPlaintextStaysInMemory(t *testing.T) {
	shm := requireShm(t)
	// Anything the edit writes is newer than this; older files (and FIFOs, which block a read)
	// in a shared /tmp are not the edit's and are skipped.
	start := time.Now().Add(-time.Second)
	dir := t.TempDir()
	r := writeNix(t, dir, []string{"p620"}, `{ "db.age".publicKeys = [ p620 admin ]; }`)
	// Random, so the marker is in no binary or build cache the scan may cross.
	marker := fmt.Sprintf("MARKER-%x", time.Now().UnixNano())
	secret := "correct-horse-" + marker
	encryptTo(t, r, "db.age", secret)
	e, _ := r.Entry("db")
	ids := []age.Identity{ageIdentity(t, adminSecretKey)}
	script := filepath.Join(dir, "editor.sh")
	os.WriteFile(script, []byte("#!/bin/sh\nstat -c %a \"$1\" > \"$(dirname \"$0\")/mode\"\necho -n -EDITED >> \"$1\"\n"), 0o755)

	changed, err := Edit(context.Background(), EditOptions{Entry: e, Identities: ids, Editor: script, TmpDir: shm})
	if err != nil || !changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	if mode, _ := os.ReadFile(filepath.Join(dir, "mode")); strings.TrimSpace(string(mode)) != "600" {
		t.Errorf("plaintext file mode = %s", mode)
	}
	pt, err := DecryptFile(e.Path, ids)
	if err != nil || string(pt) != secret+"-EDITED" {
		t.Fatalf("after edit: %q %v", pt, err)
	}
	for _, root := range []string{dir, os.TempDir()} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			if info, err := d.Info(); err != nil || info.ModTime().Before(start) {
				return nil
			}
			if data, _ := os.ReadFile(p); bytes.Contains(data, []byte(marker)) {
				t.Errorf("plaintext found on disk in %s", p)
			}
			return nil
		})
	}
	if left, _ := filepath.Glob(filepath.Join(shm, "hub-secret-*")); len(left) != 0 {
		t.Errorf("plaintext dirs left in memory: %v", left)
	}

	// An editor that changes nothing must not rewrite the file.
	before, _ := os.ReadFile(e.Path)
	if changed, err := Edit(context.Background(), EditOptions{Entry: e, Identities: ids, Editor: "true", TmpDir: shm}); err != nil || changed {
		t.Errorf("no-op edit: changed=%v err=%v", changed, err)
	}
	if after, _ := os.ReadFile(e.Path); !bytes.Equal(before, after) {
		t.Error("unchanged secret was re-encrypted")
	}
	if _, err := Edit(context.Background(), EditOptions{Entry: e, Identities: ids, Editor: "true", TmpDir: shm, New: true}); err == nil || err.Error() != "db.age already exists: use secrets:edit" {
		t.Errorf("new on existing: %v", err)
	}
}

func TestEditSIGTERMCleansUp(t *testing.T) {
	shm := requireShm(t)
	dir := t.TempDir()
	r := writeNix(t, dir, []string{"p620"}, `{ "db.age".publicKeys = [ admin ]; }`)
	encryptTo(t, r, "db.age", "x")
	e, _ := r.Entry("db")
	before, _ := os.ReadFile(e.Path)
	script := filepath.Join(dir, "slow.sh")
	os.WriteFile(script, []byte("#!/bin/sh\nsleep 10\n"), 0o755)
	go func() {
		time.Sleep(300 * time.Millisecond)
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}()
	_, err := Edit(context.Background(), EditOptions{Entry: e, Identities: []age.Identity{ageIdentity(t, adminSecretKey)}, Editor: script, TmpDir: shm})
	if err == nil || err.Error() != "db.age: interrupted, file left unchanged" {
		t.Fatalf("err = %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(shm, "hub-secret-*")); len(left) != 0 {
		t.Errorf("plaintext dirs left after SIGTERM: %v", left)
	}
	if after, _ := os.ReadFile(e.Path); !bytes.Equal(before, after) {
		t.Error("file changed after interrupted edit")
	}
}

// TestEditVimrcCannotReenableUndo runs the real vim with a vimrc that turns undo files and
// backups on, as many users' vimrcs do (undodir=~/.vim/undo): --cmd runs before the vimrc, so the
// hub's settings must also be applied after it, or vim writes the plaintext into $HOME.
func TestEditVimrcCannotReenableUndo(t *testing.T) {
	if _, err := exec.LookPath("vim"); err != nil {
		t.Skip("vim not installed")
	}
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	undo, bak := filepath.Join(home, "undo"), filepath.Join(home, "bak")
	for _, d := range []string{undo, bak} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	vimrc := fmt.Sprintf("set undofile undodir=%s backup writebackup backupdir=%s backupskip= swapfile directory=%s//\n"+
		"autocmd VimEnter * call setline(1, getline(1) . '-EDITED') | wq\n", undo, bak, bak)
	if err := os.WriteFile(filepath.Join(home, ".vimrc"), []byte(vimrc), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("VIMINIT", "")
	os.Unsetenv("VIMINIT")
	t.Setenv("MYVIMRC", "")
	os.Unsetenv("MYVIMRC")

	r := writeNix(t, dir, []string{"p620"}, `{ "db.age".publicKeys = [ admin ]; }`)
	marker := fmt.Sprintf("MARKER-%x", time.Now().UnixNano())
	encryptTo(t, r, "db.age", marker)
	e, _ := r.Entry("db")
	ids := []age.Identity{ageIdentity(t, adminSecretKey)}
	changed, err := Edit(context.Background(), EditOptions{Entry: e, Identities: ids, Editor: "vim", TmpDir: t.TempDir()})
	if err != nil || !changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	if pt, err := DecryptFile(e.Path, ids); err != nil || string(pt) != marker+"-EDITED\n" {
		t.Fatalf("after edit: %q %v", pt, err)
	}
	filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && p != filepath.Join(home, ".vimrc") {
			data, _ := os.ReadFile(p)
			t.Errorf("vim left %s in $HOME (plaintext: %v)", p, bytes.Contains(data, []byte(marker)))
		}
		return nil
	})
}

// TestMain lets this test binary be the hub that TestEditKilledLeavesNoPlaintext kills: with
// HUB_TEST_EDIT_HELPER=<secrets.nix dir>, it edits db.age with an editor that never ends.
func TestMain(m *testing.M) {
	dir := os.Getenv("HUB_TEST_EDIT_HELPER")
	if dir == "" {
		os.Exit(m.Run())
	}
	r, err := LoadRules(context.Background(), (&command.Executor{}).Local(), filepath.Join(dir, "secrets.nix"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	e, _ := r.Entry("db")
	id, _ := age.ParseX25519Identity(os.Getenv("HUB_TEST_EDIT_KEY"))
	_, err = Edit(context.Background(), EditOptions{Entry: e, Identities: []age.Identity{id}, Editor: filepath.Join(dir, "editor.sh"), TmpDir: "/dev/shm"})
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// A hub killed outright (SIGKILL) in the middle of secrets:edit cannot remove the plaintext it
// wrote to /dev/shm; the next edit does.
func TestEditKilledLeavesNoPlaintext(t *testing.T) {
	shm := requireShm(t)
	dir := t.TempDir()
	r := writeNix(t, dir, []string{"p620"}, `{ "db.age".publicKeys = [ admin ]; }`)
	encryptTo(t, r, "db.age", "the plaintext")
	ready := filepath.Join(dir, "editing")
	// The editor says which file it has open, then waits to be killed with the hub.
	os.WriteFile(filepath.Join(dir, "editor.sh"), []byte("#!/bin/sh\necho \"$1\" > "+ready+"\nexec sleep 60\n"), 0o755)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "HUB_TEST_EDIT_HELPER="+dir, "HUB_TEST_EDIT_KEY="+adminSecretKey)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var file string
	for deadline := time.Now().Add(10 * time.Second); file == ""; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(ready)
		file = strings.TrimSpace(string(b))
		if file == "" && time.Now().After(deadline) {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			t.Fatal("the killed hub's editor never started")
		}
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the hub and its editor, as a closed terminal would
	cmd.Wait()
	if b, err := os.ReadFile(file); err != nil || string(b) != "the plaintext" {
		t.Fatalf("the killed edit's plaintext %s: %q %v (nothing to clean up?)", file, b, err)
	}
	if !strings.HasPrefix(file, shm+"/") {
		t.Fatalf("plaintext at %s, not under %s", file, shm)
	}
	e, _ := r.Entry("db")
	if _, err := Edit(context.Background(), EditOptions{Entry: e, Identities: []age.Identity{ageIdentity(t, adminSecretKey)}, Editor: "true", TmpDir: shm}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(file)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the killed edit's plaintext dir %s is still there after the next edit (%v)", filepath.Dir(file), err)
	}
}

// secrets:new sub/x.age creates sub/, as agenix does.
func TestNewCreatesItsDirectory(t *testing.T) {
	shm := requireShm(t)
	dir := t.TempDir()
	r := writeNix(t, dir, []string{"p620"}, `{ "sub/deeper/x.age".publicKeys = [ admin ]; }`)
	e, _ := r.Entry("sub/deeper/x")
	editor := filepath.Join(dir, "write.sh")
	os.WriteFile(editor, []byte("#!/bin/sh\nprintf new > \"$1\"\n"), 0o755)
	if changed, err := Edit(context.Background(), EditOptions{Entry: e, New: true, Editor: editor, TmpDir: shm}); err != nil || !changed {
		t.Fatalf("new: changed=%v err=%v", changed, err)
	}
	pt, err := DecryptFile(e.Path, []age.Identity{ageIdentity(t, adminSecretKey)})
	if err != nil || string(pt) != "new" {
		t.Fatalf("decrypt %s: %q %v", e.Path, pt, err)
	}
}
