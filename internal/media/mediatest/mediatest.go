// Package mediatest is test support: recorded replies of the media servers' APIs, served on
// loopback, for tests and benchmarks.
//
// The replies live in internal/media/testdata; Routes maps each request an exporter makes (as Key
// names it) to its file there, and Handler replays them behind the credential check of the real
// application. Applications are named by plain strings ("jellyfin", "sonarr", ...), the values of
// internal/media's App, so that internal/media's own tests can import this package without a cycle.
//
// Entry points: [Handler] serves one application's recorded replies, [Authorized] checks a
// request's credential the way the application does, and [Key] names a request.
package mediatest

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Apps lists every application with recorded replies, in internal/media's order.
var Apps = []string{"jellyfin", "plex", "tautulli", "sonarr", "radarr", "lidarr", "prowlarr"}

// recordedRoutes maps a request (see Key) to the recorded reply app gives, a path relative to Dir. It
// returns a new map on each call (callers may change it) and nil for an unknown application.
func recordedRoutes(app string) map[string]string {
	switch app {
	case "jellyfin":
		return map[string]string{
			"/System/Info": "jellyfin/system_info.json", "/Sessions": "jellyfin/sessions.json",
			"/Items/Counts": "jellyfin/items_counts.json", "/Library/VirtualFolders": "jellyfin/virtual_folders.json",
		}
	case "plex":
		return map[string]string{
			"/identity": "plex/identity.json", "/status/sessions": "plex/sessions.json", "/library/sections": "plex/sections.json",
			"/library/sections/1/all?type=1": "plex/section_1_type_1.json", "/library/sections/2/all?type=2": "plex/section_2_type_2.json",
			"/library/sections/2/all?type=4": "plex/section_2_type_4.json", "/library/sections/3/all?type=8": "plex/section_3_type_8.json",
			"/library/sections/3/all?type=9": "plex/section_3_type_9.json", "/library/sections/3/all?type=10": "plex/section_3_type_10.json",
			"/library/sections/4/all": "plex/section_4_all.json",
		}
	case "tautulli":
		return map[string]string{
			"/api/v2?cmd=get_activity": "tautulli/get_activity.json", "/api/v2?cmd=get_tautulli_info": "tautulli/get_tautulli_info.json",
		}
	case "prowlarr":
		return map[string]string{
			"/api/v1/system/status": "prowlarr/system_status.json", "/api/v1/health": "prowlarr/health.json", "/api/v1/indexer": "prowlarr/indexer.json",
		}
	case "sonarr", "radarr", "lidarr":
		base := "/api/v1"
		if app == "sonarr" || app == "radarr" {
			base = "/api/v3"
		}
		return map[string]string{
			base + "/system/status": app + "/system_status.json", base + "/health": app + "/health.json",
			base + "/queue": app + "/queue.json", base + "/wanted/missing": app + "/wanted_missing.json",
			base + "/wanted/cutoff": app + "/wanted_cutoff.json", base + "/diskspace": app + "/diskspace.json",
			base + "/rootfolder": app + "/rootfolder.json",
		}
	}
	return nil
}

// Key names a request for Routes: the path plus the one query parameter that selects a different
// reply (Tautulli's cmd, Plex's type, a queue page after the first).
func Key(r *http.Request) string {
	q := r.URL.Query()
	for _, k := range []string{"cmd", "type"} {
		if v := q.Get(k); v != "" {
			return r.URL.Path + "?" + k + "=" + v
		}
	}
	if p := q.Get("page"); strings.HasSuffix(r.URL.Path, "/queue") && p != "" && p != "1" {
		return r.URL.Path + "?page=" + p
	}
	return r.URL.Path
}

// Authorized reports whether r carries secret the way app expects it: Jellyfin in
// `Authorization: MediaBrowser Token="..."`, Plex in X-Plex-Token, Tautulli in the apikey query
// parameter, the *arr applications in X-Api-Key.
func Authorized(app, secret string, r *http.Request) bool {
	switch app {
	case "jellyfin":
		return r.Header.Get("Authorization") == `MediaBrowser Token="`+secret+`"`
	case "plex":
		return r.Header.Get("X-Plex-Token") == secret
	case "tautulli":
		return r.URL.Query().Get("apikey") == secret
	}
	return r.Header.Get("X-Api-Key") == secret
}

// dir is the absolute path of internal/media/testdata, found from this package's source file, so it
// is the same from any package's test working directory. Built with -trimpath, where the source
// path is not a file path, it is found by walking up from the working directory to go.mod.
func dir() string {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		dir := filepath.Join(filepath.Dir(file), "..", "testdata")
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return filepath.Join("internal", "media", "testdata")
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "internal", "media", "testdata")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(wd, "internal", "media", "testdata")
		}
	}
}

// Handler replays app's recorded replies: a request without secret (see Authorized) gets 401, one
// without Accept: application/json gets 406 (the real servers answer XML), one whose Key is not in
// routes gets 404, and the rest get the mapped file as JSON. routes nil means Routes(app). The
// files are read here, once, so a missing one is an error now rather than a 500 later.
func Handler(app, secret string, routes map[string]string) (http.Handler, error) {
	if routes == nil {
		routes = recordedRoutes(app)
	}
	if routes == nil {
		return nil, fmt.Errorf("mediatest: no recorded replies for application %q", app)
	}
	dir := dir()
	replies := make(map[string][]byte, len(routes))
	var errs []error
	for key, file := range routes {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			errs = append(errs, fmt.Errorf("mediatest: %s %s: %w", app, key, err))
			continue
		}
		replies[key] = b
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !Authorized(app, secret, r) {
			http.Error(w, `{"error":"Unauthorized"}`, http.StatusUnauthorized)
			return
		}
		if r.Header.Get("Accept") != "application/json" {
			http.Error(w, "XML is all you get without Accept: application/json", http.StatusNotAcceptable)
			return
		}
		b, ok := replies[Key(r)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}), nil
}
