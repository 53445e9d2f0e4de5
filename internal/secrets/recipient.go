package secrets

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"
)

// Recipient kinds, named after the stanza type they produce in a file header.
const (
	KindEd25519 = "ssh-ed25519"
	KindRSA     = "ssh-rsa"
	KindX25519  = "X25519"
)

// Recipient is one public key from a publicKeys list.
type Recipient struct {
	// Raw is the string as written in secrets.nix.
	Raw string
	// Kind is the stanza type the key produces: ssh-ed25519, ssh-rsa or X25519.
	Kind string
	// Key is the canonical key without comment ("ssh-ed25519 AAAA…" or "age1…"); two
	// recipients with the same Key are the same recipient.
	Key string
	// Comment is the ssh key comment, if any.
	Comment string
	// Tag is the first argument of the key's ssh stanza (base64 of the first four bytes of
	// SHA-256 of the wire-format key); empty for X25519, whose stanzas are anonymous.
	Tag string

	age age.Recipient
}

// ParseRecipient parses an ssh-ed25519, ssh-rsa or native age (age1…) public key.
func ParseRecipient(s string) (Recipient, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "age1pq1"):
		return Recipient{}, errors.New("post-quantum age recipients cannot be mixed with ssh host keys and are not supported")
	case strings.HasPrefix(s, "age1") && strings.LastIndexByte(s, '1') != 3:
		// The bech32 data part has no "1", so a later separator means a plugin HRP
		// (age1yubikey1…), which would need the plugin binary to encrypt.
		return Recipient{}, errors.New("age plugin recipients are not supported")
	case strings.HasPrefix(s, "age1"):
		r, err := age.ParseX25519Recipient(s)
		if err != nil {
			return Recipient{}, err
		}
		return Recipient{Raw: s, Kind: KindX25519, Key: r.String(), age: r}, nil
	case strings.HasPrefix(s, "ssh-"):
		pk, comment, _, rest, err := ssh.ParseAuthorizedKey([]byte(s))
		if err != nil {
			return Recipient{}, fmt.Errorf("malformed ssh public key: %w", err)
		}
		if len(strings.TrimSpace(string(rest))) != 0 {
			return Recipient{}, errors.New("more than one ssh public key in one string")
		}
		if t := pk.Type(); t != KindEd25519 && t != KindRSA {
			return Recipient{}, fmt.Errorf("unsupported ssh key type %q (want ssh-ed25519 or ssh-rsa)", t)
		}
		r, err := agessh.ParseRecipient(s)
		if err != nil {
			return Recipient{}, err
		}
		return Recipient{
			Raw:     s,
			Kind:    pk.Type(),
			Key:     pk.Type() + " " + base64.StdEncoding.EncodeToString(pk.Marshal()),
			Comment: comment,
			Tag:     sshTag(pk),
			age:     r,
		}, nil
	default:
		return Recipient{}, errors.New("not an ssh-ed25519, ssh-rsa or age1 public key")
	}
}

// sshTag is the short key fingerprint age writes as the first argument of ssh-ed25519 and
// ssh-rsa stanzas, which lets an audit see the ssh recipients of a file without a private key.
func sshTag(pk ssh.PublicKey) string {
	h := sha256.Sum256(pk.Marshal())
	return base64.RawStdEncoding.EncodeToString(h[:4])
}

// ShortID is a compact, stable way to show a key that has no name.
func (r Recipient) ShortID() string {
	if r.Kind == KindX25519 {
		return r.Key[:8] + "…" + r.Key[len(r.Key)-4:]
	}
	return r.Kind + ":" + r.Tag
}

func ageRecipients(rs []Recipient) []age.Recipient {
	out := make([]age.Recipient, len(rs))
	for i, r := range rs {
		out[i] = r.age
	}
	return out
}
