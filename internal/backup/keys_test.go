package backup

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
)

// The key steps of a password rotation against a real restic repository on this machine: the
// current key, a key added for a new password (which then opens the repository), the old key
// removed through the new password, and restic's refusal to remove the key in use.
func TestRepositoryKeys(t *testing.T) {
	if _, err := exec.LookPath("restic"); err != nil {
		t.Skip("SKIPPED: restic not installed (go tool mage test:parallel installs it)")
	}
	ctx := context.Background()
	dir := t.TempDir()
	oldPW, newPW := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	os.WriteFile(oldPW, []byte("old password"), 0o600)
	os.WriteFile(newPW, []byte("new password"), 0o600)
	e := &command.Executor{}
	defer e.Close()
	j := Job{Host: e.Local(), HostName: "local", Set: inventory.BackupSet{Name: "data", Repository: filepath.Join(dir, "repo"), PasswordFile: oldPW}}
	if _, err := j.EnsureRepository(ctx, true); err != nil {
		t.Fatal(err)
	}
	oldKey, err := j.CurrentKey(ctx, oldPW)
	if err != nil || len(oldKey) != 8 {
		t.Fatalf("current key %q, %v", oldKey, err)
	}
	newKey, err := j.AddKey(ctx, oldPW, newPW)
	if err != nil || newKey == oldKey || len(newKey) != 8 {
		t.Fatalf("added key %q (old %s), %v", newKey, oldKey, err)
	}
	if keys, err := j.keys(ctx, oldPW); err != nil || len(keys) != 2 {
		t.Errorf("keys after the add: %+v, %v", keys, err)
	}
	if err := j.RemoveKey(ctx, newPW, newKey); err == nil || !strings.Contains(err.Error(), "key remove "+newKey) {
		t.Errorf("removing the key in use: %v, want restic's refusal", err)
	}
	if err := j.RemoveKey(ctx, newPW, oldKey); err != nil {
		t.Fatal(err)
	}
	if keys, err := j.keys(ctx, newPW); err != nil || len(keys) != 1 || keys[0].ID != newKey || !keys[0].Current {
		t.Errorf("keys after the remove: %+v, %v", keys, err)
	}
	if _, err := j.keys(ctx, oldPW); err == nil || !strings.Contains(err.Error(), "wrong repository password") {
		t.Errorf("the old password after its key was removed: %v", err)
	}
}
