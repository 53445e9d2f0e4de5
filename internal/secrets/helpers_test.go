package secrets

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/goldenfile"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"
)

// Fixed test identities: tests and golden files must not change from run to run.
const (
	adminSecretKey = "AGE-SECRET-KEY-1EM98T0A5WNGSYRP8E3UVDVMFU6QKF6VYYJZ2J48J8PSAFPW7MSSQNP9EER"
	otherSecretKey = "AGE-SECRET-KEY-18KAGGM5ANRCXYKX380DMY63K7D20YD6Q309A0JFRTYN734V8V0PQXCVM3P"
)

func hostPriv(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("hub test host " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func hostPub(t testing.TB, name string) string {
	t.Helper()
	pk, err := ssh.NewPublicKey(hostPriv(name).Public())
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk)))
}

func hostIdentity(t testing.TB, name string) age.Identity {
	t.Helper()
	id, err := agessh.NewEd25519Identity(hostPriv(name))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func ageIdentity(t testing.TB, s string) *age.X25519Identity {
	t.Helper()
	id, err := age.ParseX25519Identity(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// writeNix writes secrets.nix into dir with let-bindings for the named hosts and "admin", the way
// agenix users write it, and loads it through nix-instantiate.
func writeNix(t testing.TB, dir string, hosts []string, body string) *Rules {
	t.Helper()
	var b strings.Builder
	b.WriteString("let\n")
	for _, h := range hosts {
		fmt.Fprintf(&b, "  %s = %q;\n", h, hostPub(t, h))
	}
	fmt.Fprintf(&b, "  admin = %q;\n  other = %q;\nin\n%s\n",
		ageIdentity(t, adminSecretKey).Recipient().String(), ageIdentity(t, otherSecretKey).Recipient().String(), body)
	path := filepath.Join(dir, "secrets.nix")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := LoadRules(context.Background(), (&command.Executor{}).Local(), path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// encryptTo writes plaintext for entry name encrypted to recipients that may differ from the rules.
func encryptTo(t testing.TB, r *Rules, name string, plaintext string, recipients ...string) {
	t.Helper()
	e, err := r.Entry(name)
	if err != nil {
		t.Fatal(err)
	}
	var rcs []Recipient
	for _, s := range recipients {
		rc, err := ParseRecipient(s)
		if err != nil {
			t.Fatal(err)
		}
		rcs = append(rcs, rc)
	}
	if len(rcs) == 0 {
		rcs = e.Recipients
	}
	ct, err := Encrypt([]byte(plaintext), rcs, e.Armor)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(e.Path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.Path, ct, 0o644); err != nil {
		t.Fatal(err)
	}
}

func adminPub(t testing.TB) string { return ageIdentity(t, adminSecretKey).Recipient().String() }

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), []byte(got))
}
