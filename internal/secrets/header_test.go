package secrets

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/nixos-hub/hub/internal/secrets/internal/ageheader"
)

// greaseRecipient adds a random-looking stanza, as some age implementations do, to keep parsers
// from ossifying; audits must ignore it.
type greaseRecipient struct{}

func (greaseRecipient) Wrap([]byte) ([]*age.Stanza, error) {
	return []*age.Stanza{{Type: "x)q-grease", Args: []string{"Q", "z"}, Body: []byte("noise")}}, nil
}

func TestReadHeaderAccess(t *testing.T) {
	p620, err := ParseRecipient(hostPub(t, "p620"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, p620.age, greaseRecipient{}, ageIdentity(t, adminSecretKey).Recipient())
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("payload"))
	w.Close()
	h, err := ageheader.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	a := accessOf(h)
	if h.Armored || len(h.Keys) != 3 || a.X25519 != 1 || len(a.Other) != 0 || a.SSHTags["ssh-ed25519 "+p620.Tag] != 1 || len(a.SSHTags) != 1 {
		t.Fatalf("header %+v access %+v", h, a)
	}
	armored, err := Encrypt([]byte("x"), []Recipient{p620}, true)
	if err != nil {
		t.Fatal(err)
	}
	h, err = ageheader.Read(bytes.NewReader(armored))
	if err != nil || !h.Armored || h.Keys[0].Args[0] != p620.Tag {
		t.Fatalf("armored: %+v %v", h, err)
	}
}

// mac is a well-formed header MAC line, for headers built by hand.
const mac = "--- " + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" + "\n"

// FuzzReadHeader checks the audit's parser never panics, and that whatever it accepts the real
// age parser accepts too (the audit must not see recipients age would not).
func FuzzReadHeader(f *testing.F) {
	for _, name := range []string{"restic-password.age", "grafana-admin.age", "wireguard-p620.age"} {
		data, err := os.ReadFile("../../secrets/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("age-encryption.org/v1\n-> X25519 abc\n\n" + mac))
	f.Add([]byte("age-encryption.org/v1\n-> a-grease\n" + strings.Repeat("A", 64) + "\n\n" + mac))
	f.Add([]byte("-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ageheader.Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		accessOf(h)
		if h.Armored {
			return // age.ExtractHeader reads binary only
		}
		if _, err := age.ExtractHeader(bytes.NewReader(data)); err != nil {
			t.Fatalf("audit parser accepted a header age rejects: %v\n%q", err, data)
		}
	})
}
