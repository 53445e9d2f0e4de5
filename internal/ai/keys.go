package ai

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"sync"
)

// KeySource says where a provider's key was found, for reports: a path or a variable name,
// never the key.
type KeySource struct {
	Kind string `json:"kind"` // "file", "env" or "none"
	From string `json:"from"` // the path or the variable; for "none", what was looked at
}

func (k KeySource) String() string {
	switch k.Kind {
	case "file":
		return k.From
	case "env":
		return "$" + k.From
	}
	if k.From == "" {
		return "none needed"
	}
	return "missing (" + k.From + ")"
}

// readKey reads the key of p: its agenix file when that exists, else its environment variable.
// A provider with neither gets "" and a source saying what was looked at.
func readKey(p ProviderConfig, getenv func(string) string, readFile func(string) ([]byte, error)) (string, KeySource, error) {
	var looked []string
	if p.KeyFile != "" {
		b, err := readFile(p.KeyFile)
		switch {
		case err == nil:
			k := strings.TrimSpace(string(b))
			if k != "" {
				return k, KeySource{Kind: "file", From: p.KeyFile}, nil
			}
			looked = append(looked, p.KeyFile+" is empty")
		case errors.Is(err, fs.ErrNotExist):
			looked = append(looked, p.KeyFile+" absent")
		default:
			// The path error names the file only; a permission problem is worth saying.
			return "", KeySource{}, fmt.Errorf("provider %s: key file: %w", p.Name, err)
		}
	}
	if p.KeyEnv != "" {
		if k := strings.TrimSpace(getenv(p.KeyEnv)); k != "" {
			return k, KeySource{Kind: "env", From: p.KeyEnv}, nil
		}
		looked = append(looked, "$"+p.KeyEnv+" unset")
	}
	return "", KeySource{Kind: "none", From: strings.Join(looked, ", ")}, nil
}

// Redactor replaces every key the hub has read with [redacted] in text bound for a person or a
// file: errors, attempt reports, JSON. Providers echo request fragments in their errors, so
// this is applied to whatever leaves the package, not only to strings we build.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string
}

// Add registers a secret. Short strings are not secrets worth replacing (and would mangle text).
func (r *Redactor) Add(secret string) {
	if len(secret) < 8 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = append(r.secrets, secret)
	// Longest first, so a key that contains another is replaced whole.
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

// Redact returns s with every registered secret replaced.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, k := range r.secrets {
		s = strings.ReplaceAll(s, k, "[redacted]")
	}
	return s
}

// Error returns err with its text redacted (nil stays nil). The result keeps only the text:
// an unwrapped original could still print the key.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(r.Redact(err.Error()))
}

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }
