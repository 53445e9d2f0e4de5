package exporter

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/exporter-toolkit/web"
)

var thingsDesc = prometheus.NewDesc("hub_test_things", "Things counted by the test collector.", []string{"collector"}, nil)

// things sends one metric and then fails with err, so partial output can be observed.
func things(name string, n float64, err error) Collector {
	return CollectorFunc(func(ctx context.Context, ch chan<- prometheus.Metric) error {
		ch <- prometheus.MustNewConstMetric(thingsDesc, prometheus.GaugeValue, n, name)
		return err
	})
}

func newTest(t *testing.T, cs map[string]Collector) *Exporter {
	t.Helper()
	e, err := New(Options{Namespace: "hub_test", Program: "hub_test_exporter", Collectors: cs, TimeoutMargin: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestBindGoldenPartialResults(t *testing.T) {
	e := newTest(t, map[string]Collector{
		"fine":   things("fine", 2, nil),
		"broken": things("broken", 1, errors.New("backend down")),
	})
	f, err := os.Open("testdata/partial.prom")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := testutil.CollectAndCompare(e.Bind(context.Background()), f,
		"hub_test_scrape_collector_success", "hub_test_things"); err != nil {
		t.Fatal(err)
	}
}

func TestHandlerFailingCollectorIsNotAFailedScrape(t *testing.T) {
	e := newTest(t, map[string]Collector{
		"fine":   things("fine", 2, nil),
		"broken": things("broken", 1, errors.New("backend down")),
	})
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	for _, want := range []string{
		`hub_test_scrape_collector_success{collector="broken"} 0`,
		`hub_test_scrape_collector_success{collector="fine"} 1`,
		`hub_test_things{collector="fine"} 2`,
		`hub_test_exporter_build_info{`,
		`hub_test_scrape_collector_duration_seconds{collector="fine"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("response lacks %q", want)
		}
	}
}

func TestHandlerHonoursScrapeTimeoutHeader(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	e := newTest(t, map[string]Collector{
		"fine": things("fine", 2, nil),
		// stubborn ignores its context: the base must abandon it, not wait.
		"stubborn": CollectorFunc(func(ctx context.Context, ch chan<- prometheus.Metric) error {
			<-release
			return nil
		}),
		// polite waits for its deadline, as a collector blocked on a slow API would.
		"polite": CollectorFunc(func(ctx context.Context, ch chan<- prometheus.Metric) error {
			<-ctx.Done()
			return ctx.Err()
		}),
	})
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set(scrapeTimeoutHeader, "0.5")
	begin := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(begin)
	// stubborn never returns: a response at all proves it was abandoned at the deadline. The
	// bound is loose because a busy machine delays the response itself; the deadline's value
	// (timeout minus margin) is pinned by the table test of the calculation.
	if took > 3*time.Second {
		t.Errorf("scrape took %v: the stubborn collector was waited for", took)
	}
	if took < 350*time.Millisecond {
		t.Errorf("scrape took %v, shorter than the 0.4s budget: deadline not derived from header", took)
	}
	for _, want := range []string{
		`hub_test_scrape_collector_success{collector="stubborn"} 0`,
		`hub_test_scrape_collector_success{collector="polite"} 0`,
		`hub_test_scrape_collector_success{collector="fine"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("response lacks %q", want)
		}
	}
}

func TestScrapeBudget(t *testing.T) {
	e, err := New(Options{Namespace: "n", Program: "p", DefaultTimeout: 10 * time.Second, TimeoutMargin: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"", 9500 * time.Millisecond},
		{"15", 14500 * time.Millisecond},
		{"2.5", 2 * time.Second},
		{"0.6", 300 * time.Millisecond}, // margin would leave 100ms; half is kept instead
		{"garbage", 9500 * time.Millisecond},
		{"-3", 9500 * time.Millisecond},
		{"NaN", 9500 * time.Millisecond},
	} {
		h := http.Header{}
		if tc.header != "" {
			h.Set(scrapeTimeoutHeader, tc.header)
		}
		if got := e.scrapeBudget(h); got != tc.want {
			t.Errorf("header %q: budget %v, want %v", tc.header, got, tc.want)
		}
	}
}

func TestNewRejectsMissingNames(t *testing.T) {
	if _, err := New(Options{Program: "p"}); err == nil {
		t.Error("New without namespace succeeded")
	}
	if _, err := New(Options{Namespace: "n"}); err == nil {
		t.Error("New without program succeeded")
	}
}

func TestRegistryLints(t *testing.T) {
	e := newTest(t, map[string]Collector{"fine": things("fine", 2, nil)})
	problems, err := testutil.GatherAndLint(e.Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint %s: %s", p.Metric, p.Text)
	}
}

func TestMuxServesLandingPageAndMetrics(t *testing.T) {
	e := newTest(t, map[string]Collector{"fine": things("fine", 2, nil)})
	mux, err := e.Mux(web.LandingConfig{Description: "test exporter"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for path, want := range map[string]string{"/": "hub_test_exporter", "/metrics": "hub_test_things"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("%s: status %d, body lacks %q", path, resp.StatusCode, want)
		}
	}
}
