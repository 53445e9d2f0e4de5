package secrets

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/ssh"
)

// Generator names accepted in rotation.toml.
const (
	genAlphanumeric = "alphanumeric"
	genHex          = "hex"
	genBase64       = "base64"
	genPassphrase   = "passphrase"
	genSSHEd25519   = "ssh-ed25519"
	genWireGuard    = "wireguard"
	// genNixSigningKey is a binary cache signing key in Nix's format, what
	// `nix-store --generate-binary-cache-key NAME` writes: "NAME:" and the base64 of the 64-byte
	// ed25519 private key; the public half ("NAME:" and the base64 of the 32-byte key) is what
	// the cache's clients list in trusted-public-keys. NAME is the secret's file name.
	genNixSigningKey = "nix-signing-key"
)

// Generated is a new secret value; Public is set for key pairs (the part that goes in configs).
type Generated struct {
	Secret []byte
	Public string
}

// generate makes a new value. length means characters for alphanumeric, random bytes for hex and
// base64, words for passphrase; 0 picks a default of at least 128 bits. comment labels ssh keys
// and names nix signing keys.
func generate(rnd io.Reader, generator string, length int, comment string) (Generated, error) {
	switch generator {
	case genAlphanumeric:
		return Generated{Secret: alphanumeric(rnd, orDefault(length, 32))}, nil
	case genHex:
		b, err := randomBytes(rnd, orDefault(length, 32))
		return Generated{Secret: []byte(hex.EncodeToString(b))}, err
	case genBase64:
		b, err := randomBytes(rnd, orDefault(length, 32))
		return Generated{Secret: []byte(base64.StdEncoding.EncodeToString(b))}, err
	case genPassphrase:
		return Generated{Secret: passphrase(rnd, orDefault(length, 7))}, nil
	case genSSHEd25519:
		pub, priv, err := ed25519.GenerateKey(rnd)
		if err != nil {
			return Generated{}, err
		}
		block, err := ssh.MarshalPrivateKey(priv, comment)
		if err != nil {
			return Generated{}, err
		}
		spk, err := ssh.NewPublicKey(pub)
		if err != nil {
			return Generated{}, err
		}
		line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(spk)))
		if comment != "" {
			line += " " + comment
		}
		return Generated{Secret: pem.EncodeToMemory(block), Public: line}, nil
	case genWireGuard:
		priv, err := randomBytes(rnd, curve25519.ScalarSize)
		if err != nil {
			return Generated{}, err
		}
		// Clamp as wg genkey does, so the stored key is byte-identical to what wg would show.
		priv[0] &= 248
		priv[31] = (priv[31] & 127) | 64
		pub, err := curve25519.X25519(priv, curve25519.Basepoint)
		if err != nil {
			return Generated{}, err
		}
		return Generated{
			Secret: []byte(base64.StdEncoding.EncodeToString(priv) + "\n"),
			Public: base64.StdEncoding.EncodeToString(pub),
		}, nil
	case genNixSigningKey:
		if comment == "" || strings.ContainsAny(comment, ": \t\n") {
			return Generated{}, fmt.Errorf("nix signing key name %q: want a non-empty name without ':' or spaces", comment)
		}
		pub, priv, err := ed25519.GenerateKey(rnd)
		if err != nil {
			return Generated{}, err
		}
		return Generated{
			Secret: []byte(comment + ":" + base64.StdEncoding.EncodeToString(priv)),
			Public: comment + ":" + base64.StdEncoding.EncodeToString(pub),
		}, nil
	default:
		return Generated{}, validGenerator(generator)
	}
}

func validGenerator(g string) error {
	for _, k := range generators() {
		if g == k {
			return nil
		}
	}
	return fmt.Errorf("unknown generator %q (want %s)", g, strings.Join(generators(), ", "))
}

// generators lists the generator names.
func generators() []string {
	return []string{genAlphanumeric, genHex, genBase64, genPassphrase, genSSHEd25519, genWireGuard, genNixSigningKey}
}

func orDefault(n, d int) int {
	if n <= 0 {
		return d
	}
	return n
}

func randomBytes(rnd io.Reader, n int) ([]byte, error) {
	b := make([]byte, n)
	_, err := io.ReadFull(rnd, b)
	return b, err
}

// pick returns a uniform index below n (n ≤ 256) by rejection sampling, so no symbol is favoured.
func pick(rnd io.Reader, n int) int {
	limit := 256 - 256%n
	var b [1]byte
	for {
		if _, err := io.ReadFull(rnd, b[:]); err != nil {
			panic(fmt.Sprintf("secrets: random source failed: %v", err)) // crypto/rand never fails
		}
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func alphanumeric(rnd io.Reader, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = alnum[pick(rnd, len(alnum))]
	}
	return out
}

// Passphrase words are three consonant-vowel syllables: pronounceable without shipping a word
// list, 20·5 choices per syllable, so 19.9 bits per word and 139 bits for the default seven.
const (
	consonants = "bcdfghjklmnprstvwxyz"
	vowels     = "aeiou"
)

func passphrase(rnd io.Reader, words int) []byte {
	var sb strings.Builder
	for w := range words {
		if w > 0 {
			sb.WriteByte('-')
		}
		for range 3 {
			sb.WriteByte(consonants[pick(rnd, len(consonants))])
			sb.WriteByte(vowels[pick(rnd, len(vowels))])
		}
	}
	return []byte(sb.String())
}
