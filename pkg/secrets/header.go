package secrets

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
	intro        = "age-encryption.org/v1"
	armorBegin   = "-----BEGIN AGE ENCRYPTED FILE-----"
	columns      = 64
	maxHeader    = 1 << 20 // far above any real header; bounds memory on hostile input
	maxStanzas   = 1024
	greaseSuffix = "-grease"
)

// Stanza is one recipient stanza of an age header.
type Stanza struct {
	Type string
	Args []string
	Body []byte
}

// Header is the recipient part of an age file: what an audit can read without a private key.
type Header struct {
	Armored bool
	Stanzas []Stanza
}

var b64 = base64.RawStdEncoding.Strict()

// ParseHeader reads the header of an age file, binary or armored, and stops before the payload.
func ParseHeader(r io.Reader) (*Header, error) {
	br := bufio.NewReader(r)
	h := &Header{}
	var src io.Reader = br
	if peek, _ := br.Peek(len(armorBegin)); string(peek) == armorBegin {
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
			return nil, fmt.Errorf("stanza %d: %w", len(h.Stanzas)+1, err)
		}
		if mac, ok := strings.CutPrefix(line, "--- "); ok {
			if m, err := b64.DecodeString(mac); err != nil || len(m) != 32 {
				return nil, errors.New("malformed header MAC")
			}
			if len(h.Stanzas) == 0 {
				return nil, errors.New("header has no recipient stanzas")
			}
			return h, nil
		}
		rest, ok := strings.CutPrefix(line, "-> ")
		if !ok {
			return nil, fmt.Errorf("stanza %d: line does not start with \"-> \" or \"--- \"", len(h.Stanzas)+1)
		}
		if len(h.Stanzas) == maxStanzas {
			return nil, fmt.Errorf("more than %d stanzas", maxStanzas)
		}
		fields := strings.Split(rest, " ")
		for _, f := range fields {
			if !validArg(f) {
				return nil, fmt.Errorf("stanza %d: invalid type or argument %q", len(h.Stanzas)+1, f)
			}
		}
		body, err := readBody(lr)
		if err != nil {
			return nil, fmt.Errorf("stanza %d body: %w", len(h.Stanzas)+1, err)
		}
		h.Stanzas = append(h.Stanzas, Stanza{Type: fields[0], Args: fields[1:], Body: body})
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

// Access is who a header grants access to, as far as it can be known without private keys.
type Access struct {
	// SSHTags counts ssh-ed25519 and ssh-rsa stanzas by "type tag".
	SSHTags map[string]int
	// X25519 counts native age stanzas: they are anonymous, so only their number is known.
	X25519 int
	// Other lists stanza types that are neither ssh, X25519 nor grease (scrypt, plugins).
	Other []string
}

// Access summarises the header's recipients, ignoring grease stanzas.
func (h *Header) Access() Access {
	a := Access{SSHTags: map[string]int{}}
	for _, s := range h.Stanzas {
		switch {
		case s.Type == KindEd25519 || s.Type == KindRSA:
			if len(s.Args) > 0 {
				a.SSHTags[s.Type+" "+s.Args[0]]++
			} else {
				a.Other = append(a.Other, s.Type+" (no tag)")
			}
		case s.Type == KindX25519:
			a.X25519++
		case strings.HasSuffix(s.Type, greaseSuffix):
		default:
			a.Other = append(a.Other, s.Type)
		}
	}
	return a
}
