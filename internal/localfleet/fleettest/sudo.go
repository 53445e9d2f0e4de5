package fleettest

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/localfleet"
)

// SudoUser creates a user whose sudo asks its password (real sudo, a sudoers drop-in) and lets
// it log in to lf's hosts, for tests of ssh.sudo_password; both are removed when t ends. The
// lightweight hosts share this machine's /etc, and their sshd takes the fleet's key for any
// user. Start the fleet with the tools "sudo", "useradd", "userdel" and "chpasswd".
func SudoUser(t testing.TB, lf *localfleet.Fleet) (user, password string) {
	t.Helper()
	b := make([]byte, 15)
	rand.Read(b)
	// A name of its own: test packages run in parallel.
	user = "hubsudo" + hex.EncodeToString(b[:3])
	password = "pw-" + hex.EncodeToString(b[3:]) + " $x'`\\" // spaces and shell metacharacters travel too
	run := func(stdin string, args ...string) {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", args, err, out)
		}
	}
	run("", "useradd", "-M", "-d", "/nonexistent", "-s", "/bin/sh", user)
	t.Cleanup(func() { _ = exec.Command("userdel", user).Run() })
	run(user+":"+password+"\n", "chpasswd")
	sudoers := filepath.Join("/etc/sudoers.d", user)
	if err := os.WriteFile(sudoers, []byte(user+" ALL=(ALL:ALL) ALL\n"), 0o440); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(sudoers) })
	// sshd reads authorized_keys as the user logging in: the fleet's (a public key) must be
	// readable to it, and the directories above it searchable.
	keys := filepath.Join(lf.Dir(), "authorized_keys")
	if err := os.Chmod(keys, 0o644); err != nil {
		t.Fatal(err)
	}
	for d := filepath.Dir(keys); d != "/"; d = filepath.Dir(d) {
		if st, err := os.Stat(d); err == nil && st.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(d, st.Mode().Perm()|0o011); err != nil {
				t.Fatal(err)
			}
		}
	}
	return user, password
}
