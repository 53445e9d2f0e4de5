package media

import (
	"bytes"
	"context"
	"flag"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/nixos-hub/hub/pkg/exporter"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testSecret contains characters that URL encoding changes, so redaction of the escaped form is
// exercised too.
const testSecret = "k3y+with/slash=and&amp"

// defaultRoutes maps a request (see routeKey) to the recorded reply each application gives.
func defaultRoutes(app App) map[string]string {
	switch app {
	case Jellyfin:
		return map[string]string{
			"/System/Info": "jellyfin/system_info.json", "/Sessions": "jellyfin/sessions.json",
			"/Items/Counts": "jellyfin/items_counts.json", "/Library/VirtualFolders": "jellyfin/virtual_folders.json",
		}
	case Plex:
		return map[string]string{
			"/identity": "plex/identity.json", "/status/sessions": "plex/sessions.json", "/library/sections": "plex/sections.json",
			"/library/sections/1/all?type=1": "plex/section_1_type_1.json", "/library/sections/2/all?type=2": "plex/section_2_type_2.json",
			"/library/sections/2/all?type=4": "plex/section_2_type_4.json", "/library/sections/3/all?type=8": "plex/section_3_type_8.json",
			"/library/sections/3/all?type=9": "plex/section_3_type_9.json", "/library/sections/3/all?type=10": "plex/section_3_type_10.json",
			"/library/sections/4/all": "plex/section_4_all.json",
		}
	case Tautulli:
		return map[string]string{
			"/api/v2?cmd=get_activity": "tautulli/get_activity.json", "/api/v2?cmd=get_tautulli_info": "tautulli/get_tautulli_info.json",
		}
	case Prowlarr:
		return map[string]string{
			"/api/v1/system/status": "prowlarr/system_status.json", "/api/v1/health": "prowlarr/health.json", "/api/v1/indexer": "prowlarr/indexer.json",
		}
	}
	base, dir := apiBase(app), string(app)
	return map[string]string{
		base + "/system/status": dir + "/system_status.json", base + "/health": dir + "/health.json",
		base + "/queue": dir + "/queue.json", base + "/wanted/missing": dir + "/wanted_missing.json",
		base + "/wanted/cutoff": dir + "/wanted_cutoff.json", base + "/diskspace": dir + "/diskspace.json",
		base + "/rootfolder": dir + "/rootfolder.json",
	}
}

// routeKey is the path plus the one query parameter that selects a different reply.
func routeKey(r *http.Request) string {
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

// fakeAPI replays recorded replies, checking credentials and the request shapes that keep the
// exporter cheap for the server (tiny pages, zero-size Plex containers, JSON negotiation).
type fakeAPI struct {
	t      *testing.T
	app    App
	routes map[string]string
	// handlers override routes, e.g. to fail or stall one endpoint.
	handlers map[string]http.HandlerFunc
	srv      *httptest.Server

	mu   sync.Mutex
	hits map[string]int
}

// newFake starts the fake; wrap, if given, sees every request before the fake does.
func newFake(t *testing.T, app App, routes map[string]string, handlers map[string]http.HandlerFunc, wrap ...func(http.Handler) http.Handler) *fakeAPI {
	t.Helper()
	if routes == nil {
		routes = defaultRoutes(app)
	}
	f := &fakeAPI{t: t, app: app, routes: routes, handlers: handlers, hits: map[string]int{}}
	var h http.Handler = http.HandlerFunc(f.serve)
	for _, w := range wrap {
		h = w(h)
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) authorized(r *http.Request) bool {
	switch f.app {
	case Jellyfin:
		return r.Header.Get("Authorization") == `MediaBrowser Token="`+testSecret+`"`
	case Plex:
		return r.Header.Get("X-Plex-Token") == testSecret
	case Tautulli:
		return r.URL.Query().Get("apikey") == testSecret
	}
	return r.Header.Get("X-Api-Key") == testSecret
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	key := routeKey(r)
	f.mu.Lock()
	f.hits[key]++
	f.mu.Unlock()
	if h := f.handlers[key]; h != nil {
		h(w, r)
		return
	}
	if !f.authorized(r) {
		http.Error(w, `{"error":"Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	q := r.URL.Query()
	switch {
	case r.Header.Get("Accept") != "application/json":
		http.Error(w, "XML is all you get without Accept: application/json", http.StatusNotAcceptable)
		return
	case strings.Contains(r.URL.Path, "/wanted/") && q.Get("pageSize") != "1":
		http.Error(w, "wanted lists must be read with pageSize=1", http.StatusBadRequest)
		return
	case strings.HasSuffix(r.URL.Path, "/all") && q.Get("X-Plex-Container-Size") != "0":
		http.Error(w, "library listings must be read with X-Plex-Container-Size=0", http.StatusBadRequest)
		return
	}
	file, ok := f.routes[key]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		f.t.Errorf("fake %s: %v", f.app, err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func (f *fakeAPI) hitCounts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.hits)
}

func (f *fakeAPI) instance(name string) Instance {
	u, err := url.Parse(f.srv.URL)
	if err != nil {
		f.t.Fatal(err)
	}
	return Instance{App: f.app, Name: name, URL: u, CredentialFile: "/run/agenix/" + string(f.app) + "-" + name}
}

// fakeClock is the cache's clock, moved by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2026, 3, 14, 20, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// logBuffer is a concurrency-safe sink for the exporter's logs, so tests can assert on them.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type setup struct {
	exp   *exporter.Exporter
	clock *fakeClock
	logs  *logBuffer
}

// newSetup builds the exporter as main does, with the fake clock, a captured log and every
// credential file reading as testSecret.
func newSetup(t *testing.T, opts Options, insts ...Instance) *setup {
	t.Helper()
	s := &setup{clock: newClock(), logs: &logBuffer{}}
	if opts.MinInterval == 0 {
		opts.MinInterval = time.Minute
	}
	if opts.TargetTimeout == 0 {
		opts.TargetTimeout = 5 * time.Second
	}
	opts.Now = s.clock.Now
	opts.Logger = slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.ReadSecret = func(path string) (exporter.Secret, error) {
		f := filepath.Join(t.TempDir(), "secret")
		if err := os.WriteFile(f, []byte(testSecret+"\n"), 0o600); err != nil {
			return exporter.Secret{}, err
		}
		return exporter.ReadSecretFile(f)
	}
	cs, err := NewCollectors(&Config{Instances: insts}, opts)
	if err != nil {
		t.Fatal(err)
	}
	s.exp, err = exporter.New(exporter.Options{Namespace: Namespace, Program: "hub_media_exporter", Collectors: cs, Logger: opts.Logger})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// timeless are the metric names whose values do not depend on timing: what golden files hold.
func timeless() []string {
	d := newDescs()
	var names []string
	for _, desc := range []*prometheus.Desc{d.up, d.info, d.sessions, d.streams, d.hwTranscodes, d.hwFullPipeline, d.streamBitrate,
		d.bandwidth, d.libraryItems, d.libraries, d.librariesScanning, d.queueItems, d.wanted, d.health, d.rootFree, d.rootSize,
		d.rootAccessible, d.indexers} {
		names = append(names, descName(desc))
	}
	return append(names, Namespace+"_scrape_collector_success")
}

// descName extracts fqName from a Desc's String, which is the only public way to it.
func descName(d *prometheus.Desc) string {
	s := d.String()
	s = s[strings.Index(s, `fqName: "`)+len(`fqName: "`):]
	return s[:strings.Index(s, `"`)]
}

// gatherText renders the timeless metrics of one scrape in the text format, for -update.
func gatherText(t *testing.T, c prometheus.Collector) []byte {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	keep := timeless()
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if slices.Contains(keep, mf.GetName()) {
			if err := enc.Encode(mf); err != nil {
				t.Fatal(err)
			}
		}
	}
	return buf.Bytes()
}

func bind(s *setup) prometheus.Collector { return s.exp.Bind(context.Background()) }
