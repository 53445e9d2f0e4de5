package secrets

import (
	"bytes"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"

	"github.com/nixos-hub/hub/internal/secrets/internal/ageheader"
)

func requireAge(t testing.TB) {
	if _, err := exec.LookPath("age"); err != nil {
		t.Skip("age CLI not installed")
	}
}

func writeSSHKey(t testing.TB, dir, host string) string {
	block, err := ssh.MarshalPrivateKey(hostPriv(host), "")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, host)
	if err := os.WriteFile(p, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestInteropAgeCLI proves both directions with the real age binary: files the CLI makes decrypt
// with the hub, and the hub's decrypt with the CLI; binary and armored; ssh and age recipients.
func TestInteropAgeCLI(t *testing.T) {
	requireAge(t)
	dir := t.TempDir()
	sshKey := writeSSHKey(t, dir, "p620")
	ageKey := filepath.Join(dir, "admin.txt")
	os.WriteFile(ageKey, []byte(adminSecretKey+"\n"), 0o600)
	idsFor := map[string][]age.Identity{
		"ssh": {hostIdentity(t, "p620")},
		"age": {ageIdentity(t, adminSecretKey)},
	}
	keyFor := map[string]string{"ssh": sshKey, "age": ageKey}
	pubFor := map[string]string{"ssh": hostPub(t, "p620"), "age": adminPub(t)}
	for _, kind := range []string{"ssh", "age"} {
		for _, armored := range []bool{false, true} {
			name := kind
			if armored {
				name += "-armored"
			}
			t.Run("cli-to-hub/"+name, func(t *testing.T) {
				args := []string{"-e", "-r", pubFor[kind]}
				if armored {
					args = append(args, "-a")
				}
				cmd := exec.Command("age", args...)
				cmd.Stdin = bytes.NewReader([]byte("from the cli"))
				ct, err := cmd.Output()
				if err != nil {
					t.Fatal(err)
				}
				if h, err := ageheader.Read(bytes.NewReader(ct)); err != nil || h.Armored != armored {
					t.Fatalf("header %+v %v", h, err)
				}
				pt, err := Decrypt(ct, idsFor[kind])
				if err != nil || string(pt) != "from the cli" {
					t.Fatalf("%q %v", pt, err)
				}
			})
			t.Run("hub-to-cli/"+name, func(t *testing.T) {
				rc, err := ParseRecipient(pubFor[kind])
				if err != nil {
					t.Fatal(err)
				}
				ct, err := Encrypt([]byte("from the hub"), []Recipient{rc}, armored)
				if err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command("age", "-d", "-i", keyFor[kind])
				cmd.Stdin = bytes.NewReader(ct)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				pt, err := cmd.Output()
				if err != nil || string(pt) != "from the hub" {
					t.Fatalf("%q %v %s", pt, err, stderr.String())
				}
			})
		}
	}
}
