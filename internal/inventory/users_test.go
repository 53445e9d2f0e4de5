package inventory

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// testKey is a fixed ssh-ed25519 public key line for name.
func testKey(t *testing.T, name string) string {
	t.Helper()
	seed := sha256.Sum256([]byte("inventory test key " + name))
	pub, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(seed[:]).Public())
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + " " + name
}

// The fleet's keys reach every host; a host's own keys come after them.
func TestUsersMerge(t *testing.T) {
	admin, dev := testKey(t, "admin"), testKey(t, "dev")
	dir := writeFleet(t, map[string]string{
		"fleet.toml":  fmt.Sprintf("[defaults.users]\nauthorized_keys = [%q]\n", admin),
		"a/host.toml": goodHost,
		"b/host.toml": goodHost + fmt.Sprintf("[users]\nauthorized_keys = [%q]\n", dev),
	})
	f, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := f.Host("a")
	b, _ := f.Host("b")
	if got := strings.Join(a.Users.AuthorizedKeys, "|"); got != admin {
		t.Errorf("a: keys %q, want the fleet's", got)
	}
	if got := strings.Join(b.Users.AuthorizedKeys, "|"); got != admin+"|"+dev {
		t.Errorf("b: keys %q, want the fleet's then its own", got)
	}
}

func TestUsersErrors(t *testing.T) {
	admin := testKey(t, "admin")
	fleet := fmt.Sprintf("[defaults.users]\nauthorized_keys = [%q]\n", admin)
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"not a key in fleet.toml", map[string]string{
			"fleet.toml":  "[defaults.users]\nauthorized_keys = [\"age1jmp66x5r9zuljfffzcnthurh36nrdugxky86j3404pacysanpqgqf2uj5q\"]\n",
			"a/host.toml": goodHost},
			[]string{`DIR/fleet.toml:2: defaults.users.authorized_keys: authorized_keys[0] "age1jmp66x5r9zuljfffzcnthurh36…gqf2uj5q" is not an SSH public key (want e.g. "ssh-ed25519 AAAA... you@laptop", as in ~/.ssh/id_ed25519.pub)`}},
		{"two keys in one string", map[string]string{
			"a/host.toml": goodHost + fmt.Sprintf("[users]\nauthorized_keys = [%q]\n", admin+"\n"+testKey(t, "dev"))},
			[]string{`DIR/a/host.toml:8: users.authorized_keys: authorized_keys[0] holds more than one line: list each key as its own string`}},
		{"duplicate in host.toml", map[string]string{
			"a/host.toml": goodHost + fmt.Sprintf("[users]\nauthorized_keys = [%q, %q]\n", admin, strings.TrimSuffix(admin, " admin")+" other-comment")},
			[]string{`DIR/a/host.toml:8: users.authorized_keys: authorized_keys[1] is the same key as authorized_keys[0]`}},
		{"host repeats the fleet's key", map[string]string{
			"fleet.toml":  fleet,
			"a/host.toml": goodHost + fmt.Sprintf("[users]\nauthorized_keys = [%q]\n", admin)},
			[]string{`DIR/a/host.toml:8: users.authorized_keys: authorized_keys[0] is already one of fleet.toml's [defaults.users] authorized_keys`}},
		{"unknown key", map[string]string{
			"a/host.toml": goodHost + "[users]\nkeys = []\n"},
			[]string{`DIR/a/host.toml:8: users.keys: unknown key`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFleet(t, tt.files)
			_, err := Load(dir)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			got := strings.ReplaceAll(err.Error(), dir, "DIR")
			if got != strings.Join(tt.want, "\n") {
				t.Errorf("error:\n%s\nwant:\n%s", got, strings.Join(tt.want, "\n"))
			}
		})
	}
}

// Every host of the repository can be logged in to by the hub after its first install: it has
// at least one authorized key (hub.features.users installs them for root and the admin user).
func TestRepositoryHostsHaveAuthorizedKeys(t *testing.T) {
	f, err := Load("../../hosts")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range f.Hosts {
		if len(h.Users.AuthorizedKeys) == 0 {
			t.Errorf("%s: host %s has no authorized key: add one to [defaults.users] authorized_keys in hosts/fleet.toml or [users] in its host.toml", h.File, h.Name)
		}
		for i, k := range h.Users.AuthorizedKeys {
			if _, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k)); err != nil {
				t.Errorf("%s: authorized key %d: %v", h.Name, i, err)
			}
		}
	}
}
