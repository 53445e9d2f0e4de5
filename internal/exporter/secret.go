package exporter

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// maxSecretBytes bounds a secret file: API keys and tokens are short, and reading a mistaken path
// (a log, a device) must not exhaust memory.
const maxSecretBytes = 64 << 10

// Secret holds a credential. Its String, GoString and LogValue never reveal the value, so passing
// it to fmt or slog by mistake leaks nothing; Reveal is the one deliberate way to the bytes.
type Secret struct {
	value string
}

// Reveal returns the credential for use in a request header.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether no credential is set.
func (s Secret) IsZero() bool { return s.value == "" }

// String redacts.
func (s Secret) String() string { return "<redacted>" }

// GoString redacts, for %#v.
func (s Secret) GoString() string { return "exporter.Secret{<redacted>}" }

// LogValue redacts, for slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue("<redacted>") }

// ReadSecretFile reads a credential from a file, as agenix and systemd LoadCredential provide
// them, trimming surrounding whitespace (editors add a trailing newline). Errors name the path,
// never the content.
func ReadSecretFile(path string) (Secret, error) {
	if path == "" {
		return Secret{}, errors.New("secret file: no path given")
	}
	f, err := os.Open(path)
	if err != nil {
		return Secret{}, fmt.Errorf("secret file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretBytes+1))
	if err != nil {
		return Secret{}, fmt.Errorf("secret file %s: read: %w", path, err)
	}
	if len(b) > maxSecretBytes {
		return Secret{}, fmt.Errorf("secret file %s: larger than %d bytes", path, maxSecretBytes)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return Secret{}, fmt.Errorf("secret file %s: empty", path)
	}
	return Secret{value: v}, nil
}
