package monitoring

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/inventory"
)

func TestScrapeAndLint(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     int
		families   int
		problems   []string
		err        string
	}{
		{name: "clean", status: 200, families: 1,
			body: "# HELP hub_x_seconds X.\n# TYPE hub_x_seconds gauge\nhub_x_seconds 1\n"},
		{name: "counter without _total", status: 200, families: 1,
			body:     "# HELP hub_x_requests Requests.\n# TYPE hub_x_requests counter\nhub_x_requests 1\n",
			problems: []string{"hub_x_requests: counter metrics should have \"_total\" suffix"}},
		{name: "server error", status: 500, body: "boom", err: "500 Internal Server Error: boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var timeoutHeader string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				timeoutHeader = r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds")
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			res, err := scrapeAndLint(context.Background(), srv.Client(), srv.URL+"/metrics", 5*time.Second)
			if timeoutHeader != "5" {
				t.Errorf("timeout header = %q, want 5", timeoutHeader)
			}
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range res.Problems {
				got = append(got, p.Metric+": "+p.Text)
			}
			if strings.Join(got, "|") != strings.Join(tc.problems, "|") || res.Families != tc.families {
				t.Errorf("got %d families, problems %q; want %d, %q", res.Families, got, tc.families, tc.problems)
			}
		})
	}
}

// TestScrapeHost: only the exporters that run on the host are fetched, in order, at the host's
// address; a closed port is "down", a lint problem "lint".
func TestScrapeHost(t *testing.T) {
	clean := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("# HELP hub_x_seconds X.\n# TYPE hub_x_seconds gauge\nhub_x_seconds 1\n"))
	}))
	defer clean.Close()
	lint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("# HELP hub_x_requests R.\n# TYPE hub_x_requests counter\nhub_x_requests 1\n"))
	}))
	defer lint.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedPort := port(t, closed.URL)
	closed.Close()

	h := &inventory.Host{Name: "p510", SSH: inventory.SSH{Destination: "admin@127.0.0.1"}, Roles: []string{roleMediaServer}}
	xs := []Exporter{
		{Job: "node", Port: port(t, clean.URL)},
		{Job: "media", Port: port(t, lint.URL), Role: roleMediaServer},
		{Job: "alertmanager", Port: port(t, clean.URL), Feature: "alertmanager"}, // not on p510
		{Job: "baseline", Port: closedPort},
	}
	got, err := ScrapeHost(context.Background(), http.DefaultClient, h, xs, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, s := range got {
		fmt.Fprintf(&b, "%s=%q ", s.Job, s.Failed())
	}
	if want := `node="" media="lint" baseline="down" `; b.String() != want {
		t.Errorf("scrapes: %s, want %s", b.String(), want)
	}
	if _, err := ScrapeHost(context.Background(), http.DefaultClient, &inventory.Host{Name: "x"}, xs, time.Second); err == nil {
		t.Error("a host without an address scraped")
	}
}

func port(t *testing.T, url string) int {
	t.Helper()
	_, p, _ := strings.Cut(strings.TrimPrefix(url, "http://"), ":")
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
