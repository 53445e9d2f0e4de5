package media

import (
	"net/http"
	"net/url"
)

// appSpec is everything the exporter knows of one kind of server, in one row: how its data is
// fetched (the fetch function holds its API paths), how a request carries its credential, and
// what the credential is called in the configuration.
type appSpec struct {
	fetch fetchFunc
	// auth puts the credential into a request's headers or query.
	auth func(h http.Header, q url.Values, credential string)
	// token: the credential is a token (token_file) rather than an API key (api_key_file), as
	// each API's own documentation words it (Jellyfin and Plex speak of tokens), so that the
	// hint in an authentication error points at the key the user actually wrote.
	token bool
}

// headerAuth sends the credential in the named header.
func headerAuth(name string) func(http.Header, url.Values, string) {
	return func(h http.Header, _ url.Values, credential string) { h.Set(name, credential) }
}

// spec is a's row of the table of applications. A function rather than a map variable: the
// fetch functions reach back here (through the client), which a package variable's initializer
// may not.
func (a App) spec() appSpec {
	switch a {
	case jellyfin:
		return appSpec{fetchJellyfin, func(h http.Header, _ url.Values, credential string) {
			h.Set("Authorization", `MediaBrowser Token="`+credential+`"`)
		}, true}
	case plex:
		return appSpec{fetchPlex, headerAuth("X-Plex-Token"), true}
	case tautulli:
		// Tautulli's API accepts the key nowhere but the query.
		return appSpec{fetchTautulli, func(_ http.Header, q url.Values, credential string) { q.Set("apikey", credential) }, false}
	case prowlarr:
		return appSpec{fetchProwlarr, headerAuth("X-Api-Key"), false}
	default: // Sonarr, Radarr, Lidarr: the *arr API
		return appSpec{fetchArr, headerAuth("X-Api-Key"), false}
	}
}

// credentialField is the TOML key that names the credential file.
func (a App) credentialField() string {
	if a.spec().token {
		return "token_file"
	}
	return "api_key_file"
}

// credentialWord is the credential file in words, for error hints.
func (a App) credentialWord() string {
	if a.spec().token {
		return "token file"
	}
	return "API key file"
}
