package exporter

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/exporter-toolkit/web"
)

func webLanding() web.LandingConfig { return web.LandingConfig{Description: "test"} }

const credential = "s3cr3t-api-key-0123456789"

func TestReadSecretFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, path, want string
		wantErr          bool
	}{
		{"trailing newline trimmed", write("nl", credential+"\n"), credential, false},
		{"exact", write("exact", credential), credential, false},
		{"empty", write("empty", " \n"), "", true},
		{"too large", write("big", strings.Repeat("x", maxSecretBytes+1)), "", true},
		{"missing", filepath.Join(dir, "absent"), "", true},
		{"no path", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ReadSecretFile(tc.path)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if s.Reveal() != tc.want {
				t.Errorf("Reveal() = %q, want %q", s.Reveal(), tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "xxxx") {
				t.Errorf("error text contains file content: %v", err)
			}
		})
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	p := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(p, []byte(credential), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := ReadSecretFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logged, nil))
	logger.Info("configured", "key", s)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("configured", "key", s)
	out := fmt.Sprintf("%v %+v %#v %s %q", s, s, s, s, s) + fmt.Sprint(s) + fmt.Sprintf("%v", struct{ K Secret }{s}) + logged.String()
	if strings.Contains(out, credential) {
		t.Fatalf("credential leaked: %s", out)
	}
	if s.IsZero() {
		t.Error("IsZero on a read secret")
	}
}
