//go:build exporterbench

// Package benchmarks measures the hub's exporters next to node_exporter in the same run:
// scrape latency (median, p99) and resident memory after the scrapes.
//
//	go test -tags exporterbench -run TestExporterScrapes -v ./benchmarks/
package benchmarks

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const scrapes = 200

type target struct {
	name string
	cmd  []string
	addr string
}

func TestExporterScrapes(t *testing.T) {
	bin := t.TempDir()
	for _, name := range []string{"nixos", "baseline"} {
		out, err := exec.Command("go", "build", "-o", filepath.Join(bin, name), "../exporters/"+name).CombinedOutput()
		if err != nil {
			t.Fatalf("build %s: %v: %s", name, err, out)
		}
	}
	node, err := exec.LookPath("prometheus-node-exporter")
	if err != nil {
		t.Skip("prometheus-node-exporter not installed (apt-get install prometheus-node-exporter)")
	}
	targets := []target{
		{"node_exporter 1.5.0 (Debian, defaults)", []string{node, "--web.listen-address=127.0.0.1:19100"}, "127.0.0.1:19100"},
		{"hub-nixos-exporter", []string{filepath.Join(bin, "nixos"), "--web.listen-address=127.0.0.1:19101"}, "127.0.0.1:19101"},
		{"hub-baseline-exporter", []string{filepath.Join(bin, "baseline"), "--web.listen-address=127.0.0.1:19103",
			"--baseline.state-dir=" + t.TempDir(), "--baseline.sample-interval=1s", "--baseline.bench-interval=0"}, "127.0.0.1:19103"},
	}
	var rows []string
	for _, tg := range targets {
		cmd := exec.Command(tg.cmd[0], tg.cmd[1:]...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lat, err := scrape(tg.addr)
		rss := vmRSS(cmd.Process.Pid)
		cmd.Process.Kill()
		cmd.Wait()
		if err != nil {
			t.Fatalf("%s: %v", tg.name, err)
		}
		slices.Sort(lat)
		rows = append(rows, fmt.Sprintf("| %s | %v | %v | %s |", tg.name,
			lat[len(lat)/2].Round(10*time.Microsecond), lat[len(lat)*99/100].Round(10*time.Microsecond), rss))
	}
	for _, r := range rows {
		t.Log(r)
	}
}

func scrape(addr string) ([]time.Duration, error) {
	url := "http://" + addr + "/metrics"
	for i := 0; ; i++ {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			break
		} else if i > 100 {
			return nil, err
		}
		time.Sleep(50 * time.Millisecond)
	}
	var lat []time.Duration
	for i := 0; i < scrapes; i++ {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "10")
		begin := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("status %d", resp.StatusCode)
		}
		lat = append(lat, time.Since(begin))
	}
	return lat, nil
}

func vmRSS(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
