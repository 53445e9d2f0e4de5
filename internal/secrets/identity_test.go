package secrets

import (
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func TestIdentityPaths(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	both, rsaOnly := t.TempDir(), t.TempDir()
	for _, f := range []string{both + "/.ssh/id_ed25519", both + "/.ssh/id_rsa", rsaOnly + "/.ssh/id_rsa"} {
		os.MkdirAll(filepath.Dir(f), 0o700)
		os.WriteFile(f, nil, 0o600)
	}
	tests := []struct {
		flag string
		env  map[string]string
		want string
	}{
		{"/k", map[string]string{identityEnv: "/e", "HOME": "/h"}, "/k"},
		{"/k1, /k2", nil, "/k1 /k2"},
		{"", map[string]string{identityEnv: "/e", "HOME": "/h"}, "/e"},
		{"", map[string]string{identityEnv: "/e1,/e2"}, "/e1 /e2"},
		{"", map[string]string{"HOME": "/h"}, "/h/.ssh/id_ed25519"},
		{"", map[string]string{"HOME": both}, both + "/.ssh/id_ed25519 " + both + "/.ssh/id_rsa"},
		{"", map[string]string{"HOME": rsaOnly}, rsaOnly + "/.ssh/id_rsa"},
	}
	for _, tt := range tests {
		if got, err := IdentityPaths(tt.flag, env(tt.env)); err != nil || strings.Join(got, " ") != tt.want {
			t.Errorf("IdentityPaths(%q, %v) = %q, %v; want %s", tt.flag, tt.env, got, err, tt.want)
		}
	}
	if _, err := IdentityPaths("", env(nil)); err == nil || err.Error() != "no identity: pass -identity=FILE, set HUB_AGE_IDENTITY or HOME" {
		t.Errorf("err = %v", err)
	}
}

// writeEncryptedKey writes admin-ssh's private key to dir/id_ed25519, protected by the
// passphrase "hunter2", and returns its path.
func writeEncryptedKey(t *testing.T, dir string) string {
	t.Helper()
	block, err := ssh.MarshalPrivateKeyWithPassphrase(hostPriv("admin-ssh"), "", []byte("hunter2"))
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return keyPath
}

// TestEncryptedSSHKeyAsksOnce rekeys many files in parallel with a passphrase-protected ssh key:
// the prompt must run exactly once.
func TestEncryptedSSHKeyAsksOnce(t *testing.T) {
	dir := t.TempDir()
	keyPath := writeEncryptedKey(t, dir)
	var body string
	for i := range 12 {
		body += fmt.Sprintf("  \"f%d.age\".publicKeys = [ p620 admin-ssh ];\n", i)
	}
	r := writeNix(t, dir, []string{"p620", "admin-ssh"}, "{\n"+body+"}")
	for _, e := range r.Entries {
		encryptTo(t, r, e.Name, e.Name, hostPub(t, "admin-ssh"))
	}
	var prompts atomic.Int32
	ids, err := LoadIdentities(keyPath, OncePassphrase(func() ([]byte, error) {
		prompts.Add(1)
		return []byte("hunter2"), nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	plan, _ := PlanRekey(r, PlanOptions{})
	res := Rekey(context.Background(), plan, ids, 4)
	if err := res.Err(); err != nil || len(res.Rekeyed) != 12 {
		t.Fatalf("rekeyed %d: %v", len(res.Rekeyed), err)
	}
	if n := prompts.Load(); n != 1 {
		t.Errorf("passphrase asked %d times", n)
	}
	if _, err := LoadIdentities(keyPath, nil); err == nil || err.Error() != "identity "+keyPath+" is passphrase-protected and no prompt is available" {
		t.Errorf("err = %v", err)
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("AGE-SECRET-KEY-1NOPE\n"), 0o600)
	if _, err := LoadIdentities(bad, nil); err == nil || err.Error() != "identity "+bad+": error at line 1: malformed secret key: separator '1' at invalid position: pos=15, len=20" {
		t.Errorf("err = %v", err)
	}
}

// TestEncryptedSSHKeyConcurrentUnwrap decrypts in parallel with a passphrase-protected key and a
// prompt that is not wrapped in OncePassphrase: the identity itself must decrypt the key once.
// agessh.EncryptedSSHIdentity caches the decrypted key in an unguarded field, so parallel
// callers each saw "not decrypted yet", each ran the prompt and the KDF, and raced on the field.
func TestEncryptedSSHKeyConcurrentUnwrap(t *testing.T) {
	dir := t.TempDir()
	keyPath := writeEncryptedKey(t, dir)
	rc, err := ParseRecipient(hostPub(t, "admin-ssh"))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := Encrypt([]byte("s3cret"), []Recipient{rc}, false)
	if err != nil {
		t.Fatal(err)
	}
	var prompts atomic.Int32
	ids, err := LoadIdentities(keyPath, func() ([]byte, error) {
		prompts.Add(1)
		time.Sleep(200 * time.Millisecond) // a person typing: every worker is waiting by now
		return []byte("hunter2"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if pt, err := Decrypt(ct, ids); err != nil || string(pt) != "s3cret" {
				t.Errorf("decrypt: %q %v", pt, err)
			}
		}()
	}
	wg.Wait()
	if n := prompts.Load(); n != 1 {
		t.Errorf("the key was decrypted %d times in parallel, want once", n)
	}
}
