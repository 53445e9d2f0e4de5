package secrets

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"
)

// identityEnv names the environment variable that points at the identity file.
const identityEnv = "HUB_AGE_IDENTITY"

// IdentityPaths picks the identity files, each tried in turn for every file: the -identity
// flag (comma-separated, as agenix takes several -i), else $HUB_AGE_IDENTITY (comma-separated
// too), else those of ~/.ssh/id_ed25519 and ~/.ssh/id_rsa that exist, the keys agenix tries
// (id_ed25519 when neither does, so that the error names the usual one).
func IdentityPaths(flag string, getenv func(string) string) ([]string, error) {
	for _, v := range []string{flag, getenv(identityEnv)} {
		var paths []string
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				paths = append(paths, p)
			}
		}
		if len(paths) > 0 {
			return paths, nil
		}
	}
	home := getenv("HOME")
	if home == "" {
		return nil, fmt.Errorf("no identity: pass -identity=FILE, set %s or HOME", identityEnv)
	}
	var paths []string
	for _, k := range []string{"id_ed25519", "id_rsa"} {
		if p := filepath.Join(home, ".ssh", k); exists(p) {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		paths = []string{filepath.Join(home, ".ssh", "id_ed25519")}
	}
	return paths, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// OncePassphrase wraps a prompt so that concurrent and repeated callers share one answer: a
// passphrase-protected key asks once per run, not once per file.
func OncePassphrase(prompt func() ([]byte, error)) func() ([]byte, error) {
	var (
		mu   sync.Mutex
		pass []byte
		done bool
	)
	return func() ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return pass, nil
		}
		p, err := prompt()
		if err != nil {
			return nil, err
		}
		pass, done = p, true
		return pass, nil
	}
}

// LoadIdentities reads an age identity file (AGE-SECRET-KEY-1… lines) or an OpenSSH/PEM private
// key; passphrase is called, at most when needed, for an encrypted ssh key.
func LoadIdentities(path string, passphrase func() ([]byte, error)) ([]age.Identity, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN")) {
		ids, err := age.ParseIdentities(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("identity %s: %w", path, err)
		}
		return ids, nil
	}
	id, err := agessh.ParseIdentity(data)
	if err == nil {
		return []age.Identity{id}, nil
	}
	var missing *ssh.PassphraseMissingError
	if !errors.As(err, &missing) {
		return nil, fmt.Errorf("identity %s: %w", path, err)
	}
	pub := missing.PublicKey
	if pub == nil {
		// Old PEM-encrypted keys do not carry their public key; the .pub beside them does.
		pubData, perr := os.ReadFile(path + ".pub")
		if perr != nil {
			return nil, fmt.Errorf("identity %s: encrypted key without public key: %w", path, perr)
		}
		if pub, _, _, _, perr = ssh.ParseAuthorizedKey(pubData); perr != nil {
			return nil, fmt.Errorf("identity %s.pub: %w", path, perr)
		}
	}
	if passphrase == nil {
		return nil, fmt.Errorf("identity %s is passphrase-protected and no prompt is available", path)
	}
	eid, err := agessh.NewEncryptedSSHIdentity(pub, data, passphrase)
	if err != nil {
		return nil, fmt.Errorf("identity %s: %w", path, err)
	}
	return []age.Identity{&lockedIdentity{id: eid}}, nil
}

// lockedIdentity serialises Unwrap. agessh.EncryptedSSHIdentity decrypts the private key on first
// use and caches it in an unguarded field: rekey's parallel workers would race on that field and
// each run the prompt and the key derivation. Behind the lock the first caller decrypts the key
// and the others reuse it.
type lockedIdentity struct {
	mu sync.Mutex
	id age.Identity
}

func (l *lockedIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.id.Unwrap(stanzas)
}
