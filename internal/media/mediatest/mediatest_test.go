package mediatest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

const secret = "s3cret+with/slash=and&amp"

// withCredential sets secret on r the way app expects it.
func withCredential(app string, r *http.Request) {
	switch app {
	case "jellyfin":
		r.Header.Set("Authorization", `MediaBrowser Token="`+secret+`"`)
	case "plex":
		r.Header.Set("X-Plex-Token", secret)
	case "tautulli":
		q := r.URL.Query()
		q.Set("apikey", secret)
		r.URL.RawQuery = q.Encode()
	default:
		r.Header.Set("X-Api-Key", secret)
	}
}

func get(t *testing.T, srv *httptest.Server, app, target string, credential bool) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if credential {
		withCredential(app, req)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// TestHandler: for every application, a mapped request with the credential gets the recorded
// file, the same request without it 401, and an unmapped path 404.
func TestHandler(t *testing.T) {
	for _, tc := range []struct{ app, target, file string }{
		{"jellyfin", "/Sessions", "jellyfin/sessions.json"},
		{"plex", "/library/sections/3/all?type=9&X-Plex-Container-Size=0", "plex/section_3_type_9.json"},
		{"tautulli", "/api/v2?cmd=get_activity", "tautulli/get_activity.json"},
		{"sonarr", "/api/v3/queue?page=1&pageSize=200", "sonarr/queue.json"},
		{"radarr", "/api/v3/health", "radarr/health.json"},
		{"lidarr", "/api/v1/wanted/missing?pageSize=1", "lidarr/wanted_missing.json"},
		{"prowlarr", "/api/v1/indexer", "prowlarr/indexer.json"},
	} {
		t.Run(tc.app, func(t *testing.T) {
			u, err := url.Parse(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			if got := recordedRoutes(tc.app)[Key(&http.Request{URL: u})]; got != tc.file {
				t.Fatalf("Routes(%q)[Key(%s)] = %q, want %q", tc.app, tc.target, got, tc.file)
			}
			h, err := Handler(tc.app, secret, nil)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()

			want, err := os.ReadFile(filepath.Join(dir(), tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if code, body := get(t, srv, tc.app, tc.target, true); code != http.StatusOK || !bytes.Equal(body, want) {
				t.Errorf("GET %s with the credential: %d %.80q, want 200 and %s", tc.target, code, body, tc.file)
			}
			if code, _ := get(t, srv, tc.app, tc.target, false); code != http.StatusUnauthorized {
				t.Errorf("GET %s without the credential: %d, want 401", tc.target, code)
			}
			if code, _ := get(t, srv, tc.app, "/not/recorded", true); code != http.StatusNotFound {
				t.Errorf("GET /not/recorded with the credential: %d, want 404", code)
			}
		})
	}
}

// TestEveryRouteHasAFile: Handler reads every mapped file up front, so this fails on a route
// whose recording is missing.
func TestEveryRouteHasAFile(t *testing.T) {
	for _, app := range Apps {
		if _, err := Handler(app, secret, nil); err != nil {
			t.Error(err)
		}
	}
	if _, err := Handler("emby", secret, nil); err == nil {
		t.Error("Handler accepted an application without recordings")
	}
}
