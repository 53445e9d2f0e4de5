// Package ageheader reads the recipient part of an age file (age-encryption.org/v1, binary or
// armored) without a private key: Read stops at the header's MAC and returns each wrapped file
// key's stanza type and arguments, which is what internal/secrets' audit compares with secrets.nix.
// It checks the header's syntax as age does (a fuzz test in internal/secrets holds it to age's own
// parser); it does not verify the MAC, which needs the file key.
package ageheader

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age/armor"
)

const (
	intro      = "age-encryption.org/v1"
	columns    = 64
	maxHeader  = 1 << 20 // far above any real header; bounds memory on hostile input
	maxStanzas = 1024
	// GreaseSuffix ends the type of the random stanzas age adds to every header.
	GreaseSuffix = "-grease"
)

// WrappedKey is the file key wrapped for one recipient: its stanza type ("ssh-ed25519",
// "X25519", ...), arguments and body.
type WrappedKey struct {
	Type string
	Args []string
	Body []byte
}

// File is the recipient part of an age file: what can be read without a private key.
type File struct {
	Armored bool
	Keys    []WrappedKey
}

var b64 = base64.RawStdEncoding.Strict()

// Read reads the header of an age file, binary or armored, and stops before the payload.
func Read(r io.Reader) (*File, error) {
	br := bufio.NewReader(r)
	h := &File{}
	var src io.Reader = br
	if peek, _ := br.Peek(len(armor.Header)); string(peek) == armor.Header {
		h.Armored = true
		src = armor.NewReader(br)
	}
	lr := bufio.NewReader(io.LimitReader(src, maxHeader))
	line, err := readLine(lr)
	if err != nil {
		return nil, fmt.Errorf("intro: %w", err)
	}
	if line != intro {
		return nil, errors.New("not an age file: bad intro line")
	}
	for {
		line, err := readLine(lr)
		if err != nil {
			return nil, fmt.Errorf("stanza %d: %w", len(h.Keys)+1, err)
		}
		if mac, ok := strings.CutPrefix(line, "--- "); ok {
			if m, err := b64.DecodeString(mac); err != nil || len(m) != 32 {
				return nil, errors.New("malformed header MAC")
			}
			if len(h.Keys) == 0 {
				return nil, errors.New("header has no recipient stanzas")
			}
			return h, nil
		}
		rest, ok := strings.CutPrefix(line, "-> ")
		if !ok {
			return nil, fmt.Errorf("stanza %d: line does not start with \"-> \" or \"--- \"", len(h.Keys)+1)
		}
		if len(h.Keys) == maxStanzas {
			return nil, fmt.Errorf("more than %d stanzas", maxStanzas)
		}
		fields := strings.Split(rest, " ")
		for _, f := range fields {
			if !validArg(f) {
				return nil, fmt.Errorf("stanza %d: invalid type or argument %q", len(h.Keys)+1, f)
			}
		}
		body, err := readBody(lr)
		if err != nil {
			return nil, fmt.Errorf("stanza %d body: %w", len(h.Keys)+1, err)
		}
		h.Keys = append(h.Keys, WrappedKey{Type: fields[0], Args: fields[1:], Body: body})
	}
}

func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		if errors.Is(err, io.EOF) {
			return "", io.ErrUnexpectedEOF
		}
		return "", err
	}
	return strings.TrimSuffix(line, "\n"), nil
}

// readBody reads base64 lines until one shorter than 64 columns, as the spec wraps bodies.
func readBody(r *bufio.Reader) ([]byte, error) {
	var body bytes.Buffer
	for {
		line, err := readLine(r)
		if err != nil {
			return nil, err
		}
		if len(line) > columns {
			return nil, errors.New("body line longer than 64 columns")
		}
		b, err := b64.DecodeString(line)
		if err != nil || strings.ContainsAny(line, "\r") {
			return nil, errors.New("body is not canonical base64")
		}
		body.Write(b)
		if len(line) < columns {
			return body.Bytes(), nil
		}
	}
}

func validArg(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 {
			return false
		}
	}
	return true
}
