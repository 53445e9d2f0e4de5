package inventory

import (
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Users says who may log in to a host: hub.features.users (modules/core/users.nix) installs these
// keys for root and for the admin user, and the hub deploys through them. The same two lists are
// read by Nix from the same files.
type Users struct {
	// AuthorizedKeys are fleet.toml's [defaults.users] authorized_keys (the fleet's admins, on
	// every host) followed by host.toml's [users] authorized_keys, in authorized_keys syntax.
	AuthorizedKeys []string
}

type rawUsers struct {
	AuthorizedKeys []string `toml:"authorized_keys"`
}

// mergeUsers appends a host's own keys to the fleet's: a host can add keys, never drop an admin's.
func mergeUsers(fleet, host rawUsers) Users {
	return Users{AuthorizedKeys: append(append([]string{}, fleet.AuthorizedKeys...), host.AuthorizedKeys...)}
}

// validateKeys checks one authorized_keys list of file (table is "defaults.users" or "users"):
// each entry must be one OpenSSH public key line, and no key may be listed twice.
func validateKeys(file string, table []string, keys []string) []error {
	key := append(append([]string{}, table...), "authorized_keys")
	field := strings.Join(key, ".")
	var errs []error
	seen := map[string]int{}
	for i, k := range keys {
		bad := func(format string, args ...any) {
			errs = append(errs, &Error{File: file, Line: findLine(file, key), Field: field,
				Msg: fmt.Sprintf("authorized_keys[%d] ", i) + fmt.Sprintf(format, args...)})
		}
		if strings.ContainsAny(k, "\r\n") {
			bad("holds more than one line: list each key as its own string")
			continue
		}
		pub, _, _, rest, err := ssh.ParseAuthorizedKey([]byte(k))
		if err != nil || len(rest) > 0 {
			bad("%q is not an SSH public key (want e.g. \"ssh-ed25519 AAAA... you@laptop\", as in ~/.ssh/id_ed25519.pub)", abbreviate(k))
			continue
		}
		wire := string(pub.Marshal())
		if j, dup := seen[wire]; dup {
			bad("is the same key as authorized_keys[%d]", j)
			continue
		}
		seen[wire] = i
	}
	return errs
}

// validateUsers checks the host's own keys, and that none repeats one of the fleet's. No key at
// all is not an error here: an inventory may describe hosts the hub reaches otherwise (the local
// fleet's); the repository's own hosts are held to at least one by a test.
func (h *Host) validateUsers(own rawUsers) []error {
	errs := validateKeys(h.File, []string{"users"}, own.AuthorizedKeys)
	// A key in both lists is harmless for sshd but says the host.toml was copied from the fleet's.
	fleet := map[string]bool{}
	for _, k := range h.Users.AuthorizedKeys[:len(h.Users.AuthorizedKeys)-len(own.AuthorizedKeys)] {
		if pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k)); err == nil {
			fleet[string(pub.Marshal())] = true
		}
	}
	for i, k := range own.AuthorizedKeys {
		if pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k)); err == nil && fleet[string(pub.Marshal())] {
			errs = append(errs, &Error{File: h.File, Line: findLine(h.File, []string{"users", "authorized_keys"}), Field: "users.authorized_keys",
				Msg: fmt.Sprintf("authorized_keys[%d] is already one of fleet.toml's [defaults.users] authorized_keys", i)})
		}
	}
	return errs
}

// abbreviate keeps a bad key readable in a one-line error.
func abbreviate(s string) string {
	if len(s) <= 40 {
		return s
	}
	return s[:30] + "…" + s[len(s)-8:]
}
