package assist

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/durablefile"
)

// TuneProposal is ai:tune's structured answer.
type TuneProposal struct {
	Summary string `json:"summary"`
	Changes []struct {
		Setting string `json:"setting"`
		Reason  string `json:"reason"`
		Risk    string `json:"risk"`
	} `json:"changes"`
	Diff string `json:"diff"`
}

// ParseTune reads the JSON answer to Tune. Some models wrap JSON in a Markdown fence even when
// asked for structured output; the fence is dropped.
func ParseTune(text string) (*TuneProposal, error) {
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "```") {
		t = strings.TrimPrefix(t, "```json")
		t = strings.TrimPrefix(t, "```")
		t = strings.TrimSuffix(strings.TrimSpace(t), "```")
	}
	var p TuneProposal
	if err := json.Unmarshal([]byte(t), &p); err != nil {
		return nil, fmt.Errorf("tune: the answer is not the JSON asked for: %v", err)
	}
	if p.Diff != "" && !strings.HasSuffix(p.Diff, "\n") {
		p.Diff += "\n"
	}
	return &p, nil
}

// CheckDiff runs git apply --check on diff in repo: whether the proposal applies, touching
// nothing.
func CheckDiff(ctx context.Context, local *command.Host, repo, diff string) error {
	if strings.TrimSpace(diff) == "" {
		return nil
	}
	res, err := local.Run(ctx, command.Cmd{Args: []string{"git", "-C", repo, "apply", "--check", "-"}, Stdin: strings.NewReader(diff)})
	if err != nil {
		return fmt.Errorf("tune: the proposed diff does not apply to %s: %s", repo, oneLine(string(res.Stderr), 300))
	}
	return nil
}

// WriteProposal saves diff as dir/tune-<host>-<time>.diff for review and returns its path. The
// file is whole or absent: a diff cut short could still apply, as part of the change.
func WriteProposal(dir, host, diff string, at time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("tune: %w", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("tune-%s-%s.diff", host, at.UTC().Format("20060102T150405Z")))
	if err := durablefile.Write(path, []byte(diff), 0o644); err != nil {
		return "", fmt.Errorf("tune: %w", err)
	}
	return path, nil
}

// ScrapeBaseline fetches url (a baseline exporter's /metrics) and keeps its hub_baseline_
// samples, up to budget bytes: the HELP and TYPE lines and the Go runtime's metrics would
// spend the question's budget on nothing the tuning needs.
func ScrapeBaseline(ctx context.Context, hc *http.Client, url string, budget int) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", fmt.Errorf("baseline metrics %s: %w", url, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("baseline metrics: %w (is hub.features.baseline-exporter on for this host?)", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("baseline metrics %s: HTTP %d", url, resp.StatusCode)
	}
	var b strings.Builder
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 16<<20))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "hub_baseline_") {
			continue
		}
		if b.Len()+len(line)+1 > budget {
			break
		}
		b.WriteString(line + "\n")
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("baseline metrics %s: %w", url, err)
	}
	if b.Len() == 0 {
		return "", fmt.Errorf("baseline metrics %s: no hub_baseline_ samples (has the exporter recorded a baseline yet?)", url)
	}
	return b.String(), nil
}
