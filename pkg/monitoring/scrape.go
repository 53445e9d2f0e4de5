package monitoring

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

// ScrapeResult is what one exporter endpoint served and what promlint thinks of it.
type ScrapeResult struct {
	Families int
	Problems []promlint.Problem
}

// ScrapeAndLint fetches url (a /metrics endpoint) the way Prometheus does, with its timeout
// header, and lints the exposition with promlint, the library behind `promtool check metrics`.
func ScrapeAndLint(ctx context.Context, client *http.Client, url string, timeout time.Duration) (ScrapeResult, error) {
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
