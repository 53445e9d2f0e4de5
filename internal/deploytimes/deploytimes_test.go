package deploytimes

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/parallel"
)

// clock is a manual clock shared by the jobs of one run.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// deployRun leaves a run directory as a deploy does: internal/parallel's run with the deploy's
// phases, each host spending build seconds in build (and a second in every other phase).
func deployRun(t *testing.T, runs string, start time.Time, build map[string]time.Duration, fail string) {
	t.Helper()
	c := &clock{now: start}
	job := func(ctx context.Context, tk *parallel.Task) error {
		for _, p := range []string{"eval", "build", "copy", "activate", "health"} {
			tk.Phase(p)
			if p == "build" {
				c.Advance(build[tk.Host()])
			} else {
				c.Advance(time.Second)
			}
			if p == "copy" && tk.Host() == fail {
				return errors.New("copy: connection reset")
			}
		}
		return nil
	}
	var hosts []string
	for h := range build {
		hosts = append(hosts, h)
	}
	if _, err := parallel.Run(context.Background(), hosts, job, parallel.Options{Name: "deploy-switch", Limit: 1, KeepGoing: true,
		Out: io.Discard, RunDir: runs, Now: c.Now, Progress: parallel.ProgressPlain}); err != nil {
		t.Fatal(err)
	}
}

func TestLoadAndWrite(t *testing.T) {
	runs := t.TempDir()
	day := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	deployRun(t, runs, day, map[string]time.Duration{"p620": 40 * time.Second, "razer": 95 * time.Second}, "")
	deployRun(t, runs, day.Add(24*time.Hour), map[string]time.Duration{"p620": 50 * time.Second, "razer": 80 * time.Second}, "razer")
	deployRun(t, runs, day.Add(48*time.Hour), map[string]time.Duration{"p620": 30 * time.Second}, "")
	// A run from before phases were recorded, a test run, and a report cut short by a kill.
	old := filepath.Join(runs, "20261101T080000Z-deploy-boot")
	write(t, filepath.Join(old, "report.json"), `{"name":"deploy-boot","started":"2026-11-01T08:00:00Z","hosts":[{"host":"p620","status":"ok","duration_seconds":70}]}`)
	write(t, filepath.Join(runs, "20261202T080000Z-test", "report.json"), `{"name":"test","hosts":[{"host":"p620"}]}`)
	write(t, filepath.Join(runs, "20261203T090000Z-deploy-switch", "report.json"), `{"name":"deploy-sw`)

	all, skipped, err := Load(runs, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0], "20261203T090000Z-deploy-switch/report.json: unexpected end of JSON input") {
		t.Errorf("skipped = %q, want the cut-short report", skipped)
	}
	var out bytes.Buffer
	if err := Write(&out, all); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, filepath.Join("testdata", "times.golden"), out.Bytes())

	// -last and the selection: razer's two runs only.
	some, _, err := Load(runs, []string{"razer"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(some) != 1 || len(some[0].Hosts) != 1 || some[0].Hosts[0].Host != "razer" || some[0].Hosts[0].Status != "failed" {
		t.Errorf("Load(razer, last 1) = %+v", some)
	}
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
