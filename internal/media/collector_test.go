package media

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nixos-hub/hub/internal/exporter"
	"github.com/nixos-hub/hub/internal/goldenfile"
)

func TestCollectorsGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		app    App
		routes map[string]string // nil: the recorded defaults
	}{
		{"sonarr", sonarr, nil},
		{"radarr", radarr, nil},
		{"lidarr_empty_queue_and_wanted", lidarr, nil},
		{"prowlarr", prowlarr, nil},
		{"jellyfin", jellyfin, nil},
		{"jellyfin_empty_library", jellyfin, map[string]string{
			"/System/Info": "jellyfin/system_info.json", "/Sessions": "jellyfin/empty_list.json",
			"/Items/Counts": "jellyfin/items_counts_empty.json", "/Library/VirtualFolders": "jellyfin/empty_list.json",
		}},
		{"plex", plex, nil},
		{"plex_empty_library", plex, map[string]string{
			"/identity": "plex/identity.json", "/status/sessions": "plex/sessions_empty.json", "/library/sections": "plex/sections_empty.json",
		}},
		{"tautulli", tautulli, nil},
		{"tautulli_idle", tautulli, map[string]string{
			"/api/v2?cmd=get_activity": "tautulli/get_activity_empty.json", "/api/v2?cmd=get_tautulli_info": "tautulli/get_tautulli_info.json",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.app, tc.routes, nil)
			s := newSetup(t, Options{}, f.instance("main"))
			golden := filepath.Join("testdata", "golden", tc.name+".prom")
			if goldenfile.Update() {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, gatherText(t, bind(s)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if err := testutil.CollectAndCompare(bind(s), bytes.NewReader(want), timeless()...); err != nil {
				t.Fatal(err)
			}
			if logs := s.logs.String(); logs != "" {
				t.Errorf("a healthy target logged:\n%s", logs)
			}
		})
	}
}

// scrape runs one scrape through the real handler, as Prometheus would, and returns the body.
func scrape(t *testing.T, h http.Handler, timeout string) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if timeout != "" {
		req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", timeout)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape status %d, want 200: %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func TestTargetErrors(t *testing.T) {
	status := func(code int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.Error(w, body, code) }
	}
	reply := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }
	}
	for _, tc := range []struct {
		name     string
		app      App
		handlers map[string]http.HandlerFunc
		wrongKey bool
		want     []string // in the log
	}{
		{name: "sonarr 401", app: sonarr, wrongKey: true,
			want: []string{"sonarr main: GET /api/v3/", "HTTP 401 Unauthorized", "check the API key file /run/agenix/sonarr-main"}},
		{name: "jellyfin 401", app: jellyfin, wrongKey: true,
			want: []string{"jellyfin main: GET /", "HTTP 401", "check the token file /run/agenix/jellyfin-main"}},
		{name: "plex 401", app: plex, wrongKey: true, want: []string{"plex main: GET /", "check the token file /run/agenix/plex-main"}},
		{name: "tautulli 401", app: tautulli, wrongKey: true,
			want: []string{"tautulli main: GET /api/v2?cmd=get_activity: HTTP 401", "check the API key file /run/agenix/tautulli-main"}},
		{name: "radarr 500 echoing the key", app: radarr,
			handlers: map[string]http.HandlerFunc{"/api/v3/health": status(500, "database is locked; request key "+testSecret)},
			want:     []string{"radarr main: GET /api/v3/health: HTTP 500 Internal Server Error: database is locked; request key <redacted>"}},
		{name: "plex malformed sessions", app: plex,
			handlers: map[string]http.HandlerFunc{"/status/sessions": reply(`{"MediaContainer":{"Metadata":[{"Session":`)},
			want:     []string{"plex main: GET /status/sessions: decode: unexpected EOF"}},
		{name: "jellyfin counts of the wrong type", app: jellyfin,
			handlers: map[string]http.HandlerFunc{"/Items/Counts": reply(`{"MovieCount":"lots"}`)},
			want:     []string{"jellyfin main: GET /Items/Counts: decode:", `not a number: "lots"`}},
		{name: "tautulli error result with HTTP 200", app: tautulli,
			handlers: map[string]http.HandlerFunc{"/api/v2?cmd=get_activity": reply(`{"response":{"result":"error","message":"Invalid apikey","data":{}}}`)},
			want:     []string{`tautulli main: GET /api/v2?cmd=get_activity: decode: result "error": Invalid apikey`}},
		{name: "lidarr html login page", app: lidarr,
			handlers: map[string]http.HandlerFunc{"/api/v1/queue": reply(`<!doctype html><html><body>Login</body></html>`)},
			want:     []string{"lidarr main: GET /api/v1/queue?includeUnknownArtistItems=true&page=1&pageSize=200: decode: invalid character '<'"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var wrap []func(http.Handler) http.Handler
			if tc.wrongKey {
				// The server knows no key: whatever the exporter sends is rejected.
				wrap = append(wrap, func(next http.Handler) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						r.Header.Del("X-Api-Key")
						r.Header.Del("X-Plex-Token")
						r.Header.Del("Authorization")
						q := r.URL.Query()
						q.Del("apikey")
						r.URL.RawQuery = q.Encode()
						next.ServeHTTP(w, r)
					})
				})
			}
			f := newFake(t, tc.app, nil, tc.handlers, wrap...)
			s := newSetup(t, Options{}, f.instance("main"))
			body := scrape(t, s.exp.Handler(), "")
			for _, want := range []string{
				fmt.Sprintf(`hub_media_up{app="%s",name="main"} 0`, tc.app),
				fmt.Sprintf(`hub_media_scrape_collector_success{collector="%s"} 1`, tc.app),
			} {
				if !strings.Contains(body, want) {
					t.Errorf("scrape lacks %q", want)
				}
			}
			// The text handler escapes quotes; compare against what a reader sees.
			logs := strings.ReplaceAll(s.logs.String(), `\"`, `"`)
			for _, want := range tc.want {
				if !strings.Contains(logs, want) {
					t.Errorf("log lacks %q:\n%s", want, logs)
				}
			}
			assertNoSecret(t, logs+body)
		})
	}
}

func assertNoSecret(t *testing.T, s string) {
	t.Helper()
	for _, form := range []string{testSecret, "k3y%2Bwith", "k3y+with"} {
		if strings.Contains(s, form) {
			t.Errorf("credential %q leaked:\n%s", form, s)
		}
	}
}

// TestTautulliKeyNotInTransportErrors covers the one API that takes its key in the URL: Go's
// transport errors quote the URL, and the exporter must strip it.
func TestTautulliKeyNotInTransportErrors(t *testing.T) {
	f := newFake(t, tautulli, nil, nil)
	inst := f.instance("main")
	f.srv.Close() // connection refused, with the URL in *url.Error
	s := newSetup(t, Options{}, inst)
	body := scrape(t, s.exp.Handler(), "")
	if !strings.Contains(body, `hub_media_up{app="tautulli",name="main"} 0`) {
		t.Error("closed server not reported as down")
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "tautulli main: GET /api/v2?cmd=get_activity:") || !strings.Contains(logs, "connection refused") {
		t.Errorf("log does not name the endpoint and cause:\n%s", logs)
	}
	assertNoSecret(t, logs)
}

// TestSlowTargetOnlyFailsItself: one of two Sonarr instances stalls past the target timeout; it
// is up=0, the other is fine, and the scrape completes well within Prometheus' timeout.
func TestSlowTargetOnlyFailsItself(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	stall := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	slow := newFake(t, sonarr, nil, map[string]http.HandlerFunc{"/api/v3/queue": stall})
	fast := newFake(t, sonarr, nil, nil)
	for _, tc := range []struct {
		name, header  string
		targetTimeout time.Duration
		maxTook       time.Duration
	}{
		// The stalled endpoint never answers on its own, so finishing before the deadline that
		// should not apply proves which one cut it off: the 0.3 s target timeout before the
		// 2.5 s scrape deadline, the 0.5 s scrape deadline before the 10 s target timeout. The
		// bounds are loose because a busy machine delays the scrape itself.
		{"target timeout shorter than scrape", "3", 300 * time.Millisecond, 2 * time.Second},
		{"scrape deadline shorter than target timeout", "1", 10 * time.Second, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSetup(t, Options{TargetTimeout: tc.targetTimeout}, slow.instance("slow"), fast.instance("fast"))
			begin := time.Now()
			body := scrape(t, s.exp.Handler(), tc.header)
			took := time.Since(begin)
			if took > tc.maxTook {
				t.Errorf("scrape took %v, want under %v", took, tc.maxTook)
			}
			for _, want := range []string{
				`hub_media_up{app="sonarr",name="slow"} 0`,
				`hub_media_up{app="sonarr",name="fast"} 1`,
				`hub_media_scrape_collector_success{collector="sonarr"} 1`,
				// What the slow instance's other endpoints answered is still exported.
				`hub_media_wanted_items{app="sonarr",name="slow",reason="missing"} 137`,
				`hub_media_queue_items{app="sonarr",name="fast",status="downloading",tracked_status="ok"} 2`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("scrape lacks %q", want)
				}
			}
			if logs := s.logs.String(); !strings.Contains(logs, "sonarr slow: GET /api/v3/queue?") || !strings.Contains(logs, "context deadline exceeded") {
				t.Errorf("log does not explain the timeout:\n%s", logs)
			}
		})
	}
}

// TestScrapeStormHitsEachEndpointOnce: many concurrent scrapes while the first fetch is still
// running share it (single flight), later scrapes within the interval are served from the cache,
// and only once the interval has passed does the server see a second round of requests.
func TestScrapeStormHitsEachEndpointOnce(t *testing.T) {
	for _, app := range apps {
		t.Run(string(app), func(t *testing.T) {
			gate := make(chan struct{})
			var once sync.Once
			first := make(chan struct{})
			f := newFake(t, app, nil, nil, func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					once.Do(func() { close(first) })
					<-gate
					next.ServeHTTP(w, r)
				})
			})
			s := newSetup(t, Options{MinInterval: 30 * time.Second}, f.instance("main"))
			h := s.exp.Handler()
			const storm = 16
			bodies := make([]string, storm)
			var wg sync.WaitGroup
			for i := range storm {
				wg.Go(func() { bodies[i] = scrape(t, h, "5") })
			}
			<-first
			// Let every scrape reach the flight before the server answers.
			time.Sleep(100 * time.Millisecond)
			close(gate)
			wg.Wait()
			for range 5 {
				s.clock.Advance(5 * time.Second)
				bodies = append(bodies, scrape(t, h, "5"))
			}
			upLine := fmt.Sprintf(`hub_media_up{app="%s",name="main"} 1`, app)
			for i, b := range bodies {
				if !strings.Contains(b, upLine) {
					t.Fatalf("scrape %d lacks %q", i, upLine)
				}
			}
			hits := f.hitCounts()
			if len(hits) == 0 {
				t.Fatal("no requests reached the server")
			}
			for route, n := range hits {
				if n != 1 {
					t.Errorf("%s requested %d times within the interval, want 1", route, n)
				}
			}
			if !strings.Contains(bodies[len(bodies)-1], fmt.Sprintf(`hub_media_target_cache_age_seconds{app="%s",name="main"} 25`, app)) {
				t.Error("cache age not reported as 25s after five 5s steps")
			}
			s.clock.Advance(5 * time.Second)
			scrape(t, h, "5")
			for route, n := range f.hitCounts() {
				if n != 2 {
					t.Errorf("%s requested %d times after the interval, want 2", route, n)
				}
			}
		})
	}
}

// TestQueuePaging: the queue is walked page by page up to the cap; items past it are counted as
// not_fetched so the total stays right.
func TestQueuePaging(t *testing.T) {
	for _, tc := range []struct {
		name      string
		total     int
		wantPages int
		want      []string
	}{
		{"three pages", 450, 3, []string{`status="downloading",tracked_status="ok"} 450`}},
		{"over the cap", 2500, maxQueuePages, []string{
			`status="downloading",tracked_status="ok"} 2000`, `status="not_fetched",tracked_status="unknown"} 500`}},
		{"empty", 0, 1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			pages := 0
			queue := func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				pages++
				mu.Unlock()
				var page, size int
				fmt.Sscan(r.URL.Query().Get("page"), &page)
				fmt.Sscan(r.URL.Query().Get("pageSize"), &size)
				n := max(0, min(size, tc.total-(page-1)*size))
				recs := strings.TrimSuffix(strings.Repeat(`{"status":"downloading","trackedDownloadStatus":"ok","trackedDownloadState":"downloading"},`, n), ",")
				fmt.Fprintf(w, `{"page":%d,"pageSize":%d,"sortKey":"timeleft","sortDirection":"ascending","totalRecords":%d,"records":[%s]}`, page, size, tc.total, recs)
			}
			handlers := map[string]http.HandlerFunc{}
			for p := 1; p <= maxQueuePages+1; p++ {
				key := "/api/v3/queue"
				if p > 1 {
					key += fmt.Sprintf("?page=%d", p)
				}
				handlers[key] = queue
			}
			f := newFake(t, radarr, nil, handlers)
			s := newSetup(t, Options{}, f.instance("main"))
			body := scrape(t, s.exp.Handler(), "")
			if pages != tc.wantPages {
				t.Errorf("fetched %d pages, want %d", pages, tc.wantPages)
			}
			for _, want := range tc.want {
				if !strings.Contains(body, `hub_media_queue_items{app="radarr",name="main",`+want) {
					t.Errorf("scrape lacks queue line ending %q", want)
				}
			}
			if tc.total == 0 && strings.Contains(body, "hub_media_queue_items{") {
				t.Error("empty queue produced queue series")
			}
		})
	}
}

// TestPromtoolCheckMetrics lints a full scrape of every application with the real promtool.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed")
	}
	var insts []Instance
	for _, app := range apps {
		insts = append(insts, newFake(t, app, nil, nil).instance("main"))
	}
	s := newSetup(t, Options{}, insts...)
	body := scrape(t, s.exp.Handler(), "")
	for _, app := range apps {
		if !strings.Contains(body, fmt.Sprintf(`hub_media_up{app="%s",name="main"} 1`, app)) {
			t.Errorf("%s not up in the full scrape", app)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// One instance whose credential cannot be read (agenix has not decrypted it yet, or a
// DynamicUser lacks the permission) is up=0 with the reason, alone: the exporter starts and the
// other instances are scraped. Once the file is readable the instance comes up without a restart.
func TestUnreadableCredentialFailsAlone(t *testing.T) {
	good := newFake(t, sonarr, nil, nil)
	locked := newFake(t, sonarr, nil, nil)
	var mu sync.Mutex
	readable := false
	read := testSecretFile(t)
	opts := Options{ReadSecret: func(path string) (exporter.Secret, error) {
		mu.Lock()
		defer mu.Unlock()
		if strings.HasSuffix(path, "-locked") && !readable {
			return exporter.Secret{}, fmt.Errorf("open %s: permission denied", path)
		}
		return read(path)
	}}
	s := newSetup(t, opts, good.instance("good"), locked.instance("locked"))
	body := scrape(t, s.exp.Handler(), "")
	for _, want := range []string{`hub_media_up{app="sonarr",name="good"} 1`, `hub_media_up{app="sonarr",name="locked"} 0`} {
		if !strings.Contains(body, want) {
			t.Errorf("first scrape lacks %q", want)
		}
	}
	if logs := s.logs.String(); !strings.Contains(logs, "sonarr locked: api_key_file: open /run/agenix/sonarr-locked: permission denied") {
		t.Errorf("the log does not say why locked is down:\n%s", logs)
	}
	mu.Lock()
	readable = true
	mu.Unlock()
	s.clock.Advance(2 * time.Minute)
	if body := scrape(t, s.exp.Handler(), ""); !strings.Contains(body, `hub_media_up{app="sonarr",name="locked"} 1`) {
		t.Errorf("locked is still down once its credential is readable")
	}
}
