package ageheader

import (
	"strings"
	"testing"
)

const mac = "--- " + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" + "\n"

func TestReadHeaderErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "intro: unexpected EOF"},
		{"not age", "hello\n", "not an age file: bad intro line"},
		{"truncated", "age-encryption.org/v1\n-> X25519 abc\n", "stanza 1 body: unexpected EOF"},
		{"no stanzas", "age-encryption.org/v1\n" + mac, "header has no recipient stanzas"},
		{"bad mac", "age-encryption.org/v1\n-> X25519 abc\n\n--- !!\n", "malformed header MAC"},
		{"junk line", "age-encryption.org/v1\nfoo\n", `stanza 1: line does not start with "-> " or "--- "`},
		{"empty arg", "age-encryption.org/v1\n-> X25519  abc\n\n" + mac, `stanza 1: invalid type or argument ""`},
		{"bad body", "age-encryption.org/v1\n-> X25519 abc\n*\n" + mac, "stanza 1 body: body is not canonical base64"},
		{"long body", "age-encryption.org/v1\n-> X25519 abc\n" + strings.Repeat("A", 65) + "\n" + mac, "stanza 1 body: body line longer than 64 columns"},
		{"bad armor", "-----BEGIN AGE ENCRYPTED FILE-----\n!!!\n", "intro: invalid armor: illegal base64 data at input byte 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.in))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant  %s", err, tt.want)
			}
		})
	}
	// A minimal well-formed header with a full-width body line followed by an empty one.
	ok := "age-encryption.org/v1\n-> X25519 abc\n" + strings.Repeat("A", 64) + "\n\n" + mac
	h, err := Read(strings.NewReader(ok))
	if err != nil || len(h.Keys[0].Body) != 48 {
		t.Fatalf("h = %+v, err = %v", h, err)
	}
}
