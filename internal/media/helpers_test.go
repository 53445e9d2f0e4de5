package media

import (
	"bytes"
	"context"
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

	"github.com/jonboulle/clockwork"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/nixos-hub/hub/internal/exporter"
	"github.com/nixos-hub/hub/internal/media/mediatest"
	"github.com/nixos-hub/hub/internal/syncbuffer"
)

// testSecret contains characters that URL encoding changes, so redaction of the escaped form is
// exercised too.
const testSecret = "k3y+with/slash=and&amp"

// fakeAPI replays recorded replies (mediatest.Handler: credentials, JSON negotiation), checking
// too the request shapes that keep the exporter cheap for the server (tiny pages, zero-size Plex
// containers), and counts the requests by mediatest.Key.
type fakeAPI struct {
	t   testing.TB
	app App
	// handlers override the replies, e.g. to fail or stall one endpoint.
	handlers map[string]http.HandlerFunc
	replay   http.Handler
	srv      *httptest.Server

	mu   sync.Mutex
	hits map[string]int
}

// newFake starts the fake on routes (nil: the recorded replies mediatest.Handler serves); wrap,
// if given, sees every request before the fake does.
func newFake(t testing.TB, app App, routes map[string]string, handlers map[string]http.HandlerFunc, wrap ...func(http.Handler) http.Handler) *fakeAPI {
	t.Helper()
	replay, err := mediatest.Handler(string(app), testSecret, routes)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeAPI{t: t, app: app, handlers: handlers, replay: replay, hits: map[string]int{}}
	var h http.Handler = http.HandlerFunc(f.serve)
	for _, w := range wrap {
		h = w(h)
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	key := mediatest.Key(r)
	f.mu.Lock()
	f.hits[key]++
	f.mu.Unlock()
	if h := f.handlers[key]; h != nil {
		h(w, r)
		return
	}
	// Shape checks only once authorized: a refused credential is a 401 from the replay, first.
	if mediatest.Authorized(string(f.app), testSecret, r) {
		q := r.URL.Query()
		switch {
		case strings.Contains(r.URL.Path, "/wanted/") && q.Get("pageSize") != "1":
			http.Error(w, "wanted lists must be read with pageSize=1", http.StatusBadRequest)
			return
		case strings.HasSuffix(r.URL.Path, "/all") && q.Get("X-Plex-Container-Size") != "0":
			http.Error(w, "library listings must be read with X-Plex-Container-Size=0", http.StatusBadRequest)
			return
		}
	}
	f.replay.ServeHTTP(w, r)
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

type setup struct {
	exp   *exporter.Exporter
	clock *clockwork.FakeClock
	logs  *syncbuffer.Buffer
}

// newSetup builds the exporter as main does, with the fake clock, a captured log and every
// credential file reading as testSecret.
func newSetup(t *testing.T, opts Options, insts ...Instance) *setup {
	t.Helper()
	s := &setup{clock: clockwork.NewFakeClockAt(time.Date(2026, 3, 14, 20, 0, 0, 0, time.UTC)), logs: &syncbuffer.Buffer{}}
	if opts.MinInterval == 0 {
		opts.MinInterval = time.Minute
	}
	if opts.TargetTimeout == 0 {
		opts.TargetTimeout = 5 * time.Second
	}
	opts.Now = s.clock.Now
	opts.Logger = slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if opts.ReadSecret == nil {
		opts.ReadSecret = testSecretFile(t)
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

// testSecretFile reads every credential file as testSecret.
func testSecretFile(t testing.TB) func(string) (exporter.Secret, error) {
	return func(path string) (exporter.Secret, error) {
		f := filepath.Join(t.TempDir(), "secret")
		if err := os.WriteFile(f, []byte(testSecret+"\n"), 0o600); err != nil {
			return exporter.Secret{}, err
		}
		return exporter.ReadSecretFile(f)
	}
}
