package monitoring

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/nixos-hub/hub/internal/inventory"
)

// ScrapeResult is what one exporter endpoint served and what promlint thinks of it.
type ScrapeResult struct {
	Families int
	Problems []promlint.Problem
}

// scrapeAndLint fetches url (a /metrics endpoint) the way Prometheus does, with its timeout
// header, and lints the exposition with promlint, the library behind `promtool check metrics`.
func scrapeAndLint(ctx context.Context, client *http.Client, url string, timeout time.Duration) (ScrapeResult, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return ScrapeResult{}, err
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", fmt.Sprintf("%g", timeout.Seconds()))
	resp, err := client.Do(req)
	if err != nil {
		return ScrapeResult{}, fmt.Errorf("scrape %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return ScrapeResult{}, fmt.Errorf("scrape %s: %s: %s", url, resp.Status, strings.TrimSpace(string(b)))
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return ScrapeResult{}, fmt.Errorf("scrape %s: %w", url, err)
	}
	problems, err := promlint.New(strings.NewReader(string(body))).Lint()
	if err != nil {
		return ScrapeResult{}, fmt.Errorf("lint %s: %w", url, err)
	}
	return ScrapeResult{Families: strings.Count(string(body), "\n# TYPE ") + boolInt(strings.HasPrefix(string(body), "# TYPE ")), Problems: problems}, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// HostScrape is one exporter of a host as monitor:scrape saw it: down (Err), or what it served.
type HostScrape struct {
	Job string
	ScrapeResult
	Err error
}

// Failed says how the exporter failed ("down", "lint"), or "" when it served clean metrics.
func (s HostScrape) Failed() string {
	switch {
	case s.Err != nil:
		return "down"
	case len(s.Problems) > 0:
		return "lint"
	}
	return ""
}

// ScrapeHost scrapes and lints every exporter of xs that runs on h (Exporter.RunsOn), in
// order, at the address Prometheus uses (ScrapeTarget). It fails only when h has no address.
func ScrapeHost(ctx context.Context, client *http.Client, h *inventory.Host, xs []Exporter, timeout time.Duration) ([]HostScrape, error) {
	var out []HostScrape
	for _, x := range xs {
		if !x.runsOn(h) {
			continue
		}
		target, err := ScrapeTarget(h, x.Port)
		if err != nil {
			return nil, err
		}
		res, err := scrapeAndLint(ctx, client, "http://"+target+"/metrics", timeout)
		out = append(out, HostScrape{Job: x.Job, ScrapeResult: res, Err: err})
	}
	return out, nil
}
