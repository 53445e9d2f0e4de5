package media

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nixos-hub/hub/internal/exporter"
)

// An instance that redirects its API to another origin (an SSO proxy's login host, a moved
// service) must not hand that origin the credential: not in X-Api-Key or X-Plex-Token, which Go
// re-sends across hosts, and not in a Referer carrying Tautulli's apikey query. The second
// origin is a server on another loopback address that records what reaches it.
func TestCredentialsDoNotFollowRedirects(t *testing.T) {
	var mu sync.Mutex
	var leaked []string
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no second loopback address: %v", err)
	}
	other := &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		leaked = append(leaked, r.URL.String()+" "+r.Header.Get("X-Api-Key")+r.Header.Get("X-Plex-Token")+r.Header.Get("Referer"))
		w.Write([]byte(`{}`))
	})}}
	other.Start()
	defer other.Close()

	var referers []string
	self := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		referers = append(referers, r.Header.Get("Referer"))
		mu.Unlock()
		switch {
		case strings.HasPrefix(r.URL.Path, "/away"):
			http.Redirect(w, r, other.URL+"/login?next="+url.QueryEscape(r.URL.String()), http.StatusFound)
		case r.URL.Path == "/here":
			http.Redirect(w, r, "/here/", http.StatusMovedPermanently) // same origin: followed
		default:
			w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer self.Close()

	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte("s3cr3t-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	secret, err := exporter.ReadSecretFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(self.URL)
	for _, app := range []App{sonarr, plex, tautulli} {
		c := newClient(Instance{App: app, Name: "main", URL: base, CredentialFile: keyFile}, secret, http.DefaultClient)
		err := c.get(context.Background(), ep("/away/api"), capSmall, discard)
		if err == nil || !strings.Contains(err.Error(), "another origin: not followed") {
			t.Errorf("%s: redirect to %s: err %v, want it refused", app, other.URL, err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr3t-key") {
			t.Errorf("%s: the error carries the key: %v", app, err)
		}
		if err := c.get(context.Background(), ep("/here"), capSmall, discard); err != nil {
			t.Errorf("%s: same-origin redirect: %v", app, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(leaked) > 0 {
		t.Errorf("the other origin was reached: %q", leaked)
	}
	for _, r := range referers {
		if r != "" {
			t.Errorf("a redirected request carried Referer %q", r)
		}
	}
}

// discard reads a body and keeps nothing.
func discard(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
