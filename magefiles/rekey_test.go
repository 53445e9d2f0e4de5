package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"filippo.io/age"

	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/secrets"
)

// A Ctrl-C during secrets:rekey, sent to a real mage process once the plan is printed, ends the
// run with a one-line summary of what was left as it was, not a "context canceled" line per
// file, and every file still decrypts with the key it had.
func TestSecretsRekeyInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the magefiles")
	}
	const files = 60
	dir := filepath.Join(t.TempDir(), "secrets")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	admin, _ := age.GenerateX25519Identity()
	other, _ := age.GenerateX25519Identity()
	keyFile := filepath.Join(t.TempDir(), "admin.key")
	if err := os.WriteFile(keyFile, []byte(admin.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Every file is encrypted to the admin alone while secrets.nix adds a second key: all of
	// them are in the plan. 4 MB each keeps the rekey busy long enough to be interrupted.
	var rules strings.Builder
	fmt.Fprintf(&rules, "let\n  admin = %q;\n  other = %q;\nin {\n", admin.Recipient(), other.Recipient())
	for i := range files {
		fmt.Fprintf(&rules, "  \"f%02d.age\".publicKeys = [ admin other ];\n", i)
	}
	rules.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(dir, "secrets.nix"), []byte(rules.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	rcp, err := secrets.ParseRecipient(admin.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("plaintext "), 400_000)
	for i := range files {
		ct, err := secrets.Encrypt(body, []secrets.Recipient{rcp}, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d.age", i)), ct, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin, root := fleettest.Mage(t)

	cmd := exec.Command(bin, "secrets:rekey", "-parallelism=1")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "HUB_SECRETS_RULES="+filepath.Join(dir, "secrets.nix"), "HUB_AGE_IDENTITY="+keyFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var plan, after []string
	last := fmt.Sprintf("  f%02d.age", files-1)
	for sc.Scan() {
		plan = append(plan, sc.Text())
		if strings.HasPrefix(sc.Text(), last) {
			break
		}
	}
	// The reason line of the last file follows; the plan is complete once the rekey starts.
	if sc.Scan() {
		plan = append(plan, sc.Text())
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
		after = append(after, sc.Text())
	}
	err = cmd.Wait()
	out := strings.Join(after, "\n") + "\n" + stderr.String()
	if err == nil {
		t.Fatalf("secrets:rekey finished before the interrupt (no failure):\n%s", out)
	}
	if n := strings.Count(out, "context canceled"); n > 1 || len(after)+strings.Count(stderr.String(), "\n") > 6 ||
		!strings.Contains(out, "interrupted, left as they were: run secrets:rekey again)") {
		t.Errorf("after the Ctrl-C (%d plan lines before it), want a short summary with one interrupted line and at most one \"context canceled\" (%d):\n%s", len(plan), n, out)
	}
	rekeyed := 0
	for i := range files {
		name := filepath.Join(dir, fmt.Sprintf("f%02d.age", i))
		pt, err := secrets.DecryptFile(name, []age.Identity{admin})
		if err != nil || !bytes.Equal(pt, body) {
			t.Errorf("%s after the interrupt: %v", name, err)
		}
		if _, err := secrets.DecryptFile(name, []age.Identity{other}); err == nil {
			rekeyed++
		}
	}
	if rekeyed == files {
		t.Errorf("every file was rekeyed: the interrupt came too late to test anything")
	}
	t.Logf("%d of %d files rekeyed before the interrupt; its output:\n%s", rekeyed, files, out)
}
