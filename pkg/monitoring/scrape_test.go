package monitoring

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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
			res, err := ScrapeAndLint(context.Background(), srv.Client(), srv.URL+"/metrics", 5*time.Second)
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
