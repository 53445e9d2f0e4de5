package media

import (
	"net/http"
	"net/url"
	"testing"
)

// Every application has its row: a fetch, and its credential in the place its API reads it,
// under the configuration key its documentation names.
func TestAppTable(t *testing.T) {
	for _, tc := range []struct {
		app          App
		header, hval string
		query        string
		field        string
	}{
		{jellyfin, "Authorization", `MediaBrowser Token="k"`, "", "token_file"},
		{plex, "X-Plex-Token", "k", "", "token_file"},
		{tautulli, "", "", "k", "api_key_file"},
		{sonarr, "X-Api-Key", "k", "", "api_key_file"},
		{radarr, "X-Api-Key", "k", "", "api_key_file"},
		{lidarr, "X-Api-Key", "k", "", "api_key_file"},
		{prowlarr, "X-Api-Key", "k", "", "api_key_file"},
	} {
		s := tc.app.spec()
		if s.fetch == nil || s.auth == nil {
			t.Errorf("%s: incomplete row %+v", tc.app, s)
			continue
		}
		h, q := http.Header{}, url.Values{}
		s.auth(h, q, "k")
		if tc.header != "" && (h.Get(tc.header) != tc.hval || len(h) != 1) {
			t.Errorf("%s: headers %v, want only %s: %s", tc.app, h, tc.header, tc.hval)
		}
		if tc.header == "" && len(h) != 0 {
			t.Errorf("%s: headers %v, want none (the key goes in the query)", tc.app, h)
		}
		if q.Get("apikey") != tc.query {
			t.Errorf("%s: query %v, want apikey=%q", tc.app, q, tc.query)
		}
		if tc.app.credentialField() != tc.field {
			t.Errorf("%s: credential key %s, want %s", tc.app, tc.app.credentialField(), tc.field)
		}
	}
	if len(apps) != 7 {
		t.Errorf("Apps lists %d applications; the table above has 7", len(apps))
	}
}
