package secrets

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/nixos-hub/hub/internal/durablefile"
)

// Encrypt encrypts plaintext to the recipients, armored if asked, entirely in memory.
func Encrypt(plaintext []byte, recipients []Recipient, armored bool) ([]byte, error) {
	if len(recipients) == 0 {
		return nil, errors.New("no recipients")
	}
	var out bytes.Buffer
	var dst io.Writer = &out
	var aw io.WriteCloser
	if armored {
		aw = armor.NewWriter(&out)
		dst = aw
	}
	w, err := age.Encrypt(dst, ageRecipients(recipients)...)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if aw != nil {
		if err := aw.Close(); err != nil {
			return nil, err
		}
	}
	return out.Bytes(), nil
}

// Decrypt decrypts a binary or armored age file in memory.
func Decrypt(ciphertext []byte, identities []age.Identity) ([]byte, error) {
	br := bufio.NewReader(bytes.NewReader(ciphertext))
	var src io.Reader = br
	if peek, _ := br.Peek(len(armor.Header)); string(peek) == armor.Header {
		src = armor.NewReader(br)
	}
	r, err := age.Decrypt(src, identities...)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// DecryptFile reads and decrypts one file, naming it in errors.
func DecryptFile(path string, identities []age.Identity) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pt, err := Decrypt(data, identities)
	if err != nil {
		return nil, fmt.Errorf("decrypt %s: %w", path, err)
	}
	return pt, nil
}

// RemoveStaleTemps deletes temp files a killed writer left behind in dir and below; they never
// hold plaintext, only a complete or partial ciphertext nobody refers to.
func RemoveStaleTemps(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if target, ok := durablefile.Target(d.Name()); ok && !d.IsDir() && strings.HasSuffix(target, ".age") {
			return os.Remove(p)
		}
		return nil
	})
}
