//go:build exporterbench

package benchmarks

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBaselineExporterMemory measures the peak resident memory (VmHWM) of hub-baseline-exporter
// running its micro-benchmarks back to back (--baseline.bench-interval=1s) while scraped twice a
// second for 30 s, next to node_exporter scraped the same way.
//
//	go test -tags exporterbench -run TestBaselineExporterMemory -v ./benchmarks/
//
// HUB_BENCH_BASELINE_BIN names another build of the exporter to measure instead.
func TestBaselineExporterMemory(t *testing.T) {
	bin := os.Getenv("HUB_BENCH_BASELINE_BIN")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "baseline")
		if out, err := exec.Command("go", "build", "-o", bin, "../exporters/baseline").CombinedOutput(); err != nil {
			t.Fatalf("build: %v: %s", err, out)
		}
	}
	node, err := exec.LookPath("prometheus-node-exporter")
	if err != nil {
		t.Skip("prometheus-node-exporter not installed (apt-get install prometheus-node-exporter)")
	}
	// No waitQuiet: peak resident memory does not depend on what else the machine runs.
	t.Logf("1-minute load average at measurement start: %s", loadAvg1())
	t.Log("| exporter | scrapes | peak RSS (VmHWM) | RSS after |")
	t.Log("|---|---|---|---|")
	for _, tg := range []struct {
		name string
		args []string
	}{
		{"node_exporter 1.5.0 (Debian, defaults)", []string{node}},
		{"hub-baseline-exporter, benches every 1 s", []string{bin, "--baseline.state-dir=" + t.TempDir(),
			"--baseline.sample-interval=1s", "--baseline.bench-interval=1s"}},
	} {
		hwm, rss := runForMemory(t, append(tg.args, "--web.listen-address=127.0.0.1:19113"), "127.0.0.1:19113", 60, 500*time.Millisecond, nil)
		t.Logf("| %s | %d | %d kB | %d kB |", tg.name, 60, hwm, rss)
	}
	t.Logf("1-minute load average at measurement end: %s", loadAvg1())
}

// hugeReply is what the misbehaving upstream sends on every endpoint: the 50 MB of issue 14.
const hugeReply = 50 << 20

// TestMediaExporterMemory measures the peak resident memory (VmHWM) of hub-media-exporter scraped
// while its Sonarr answers every endpoint with 50 MB of well-formed JSON (no Content-Length),
// next to the same exporter with every upstream answering its recorded replies.
//
//	go test -tags exporterbench -run TestMediaExporterMemory -v ./benchmarks/
//
// HUB_BENCH_MEDIA_BIN names another build of the exporter to measure instead (an older commit's,
// for a before/after comparison).
func TestMediaExporterMemory(t *testing.T) {
	bin := os.Getenv("HUB_BENCH_MEDIA_BIN")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "media")
		if out, err := exec.Command("go", "build", "-o", bin, "../exporters/media").CombinedOutput(); err != nil {
			t.Fatalf("build: %v: %s", err, out)
		}
	}
	// No waitQuiet: peak resident memory does not depend on what else the machine runs.
	t.Logf("1-minute load average at measurement start: %s", loadAvg1())
	t.Log("| upstreams | scrapes | peak RSS (VmHWM) | RSS after |")
	t.Log("|---|---|---|---|")
	for _, huge := range []bool{false, true} {
		var swap map[string]http.Handler
		if huge { // Sonarr answers every request with hugeReply bytes of a JSON array
			swap = map[string]http.Handler{"sonarr": http.HandlerFunc(streamJSONArray)}
		}
		cfg, _ := startMediaFakes(t, swap)
		hwm, rss := scrapeForMemory(t, bin, cfg)
		what := "all recorded replies"
		if huge {
			what = "Sonarr: 50 MB on each of its 7 endpoints"
		}
		t.Logf("| %s | %d | %d kB | %d kB |", what, memoryScrapes, hwm, rss)
	}
	t.Logf("1-minute load average at measurement end: %s", loadAvg1())
}

const memoryScrapes = 20

// scrapeForMemory runs the media exporter with --media.min-interval=0s (every scrape fetches
// every upstream), scrapes it memoryScrapes times and reads VmHWM and VmRSS.
func scrapeForMemory(t *testing.T, bin, cfg string) (hwmKB, rssKB int) {
	t.Helper()
	addr := "127.0.0.1:19112"
	return runForMemory(t, []string{bin, "--web.listen-address=" + addr, "--media.config.file=" + cfg,
		"--media.min-interval=0s", "--media.target-timeout=30s"}, addr, memoryScrapes, 0, func(body string) {
		if !strings.Contains(body, `hub_media_up{app="radarr",name="main"} 1`) {
			t.Fatalf("the well-behaved upstreams are not up:\n%s", body)
		}
	})
}

// runForMemory starts args, waits until addr answers, scrapes it n times every pause (check
// sees each body) and reads VmHWM and VmRSS of the process.
func runForMemory(t *testing.T, args []string, addr string, n int, pause time.Duration, check func(string)) (hwmKB, rssKB int) {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	url := "http://" + addr + "/metrics"
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if _, err := get(url); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not answering", args[0])
		}
	}
	for range n {
		body, err := get(url)
		if err != nil {
			t.Fatal(err)
		}
		if check != nil {
			check(body)
		}
		time.Sleep(pause)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	field := func(name string) int {
		for _, l := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(l, name+":"); ok {
				n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
				return n
			}
		}
		t.Fatalf("no %s in /proc/<pid>/status", name)
		return 0
	}
	return field("VmHWM"), field("VmRSS")
}

// streamJSONArray writes a JSON array of small records, hugeReply bytes in all, until done or
// the client goes away.
func streamJSONArray(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	const rec = `{"status":"downloading","trackedDownloadStatus":"ok","source":"x","type":"warning","path":"/tv"},`
	chunk := strings.Repeat(rec, 512)
	if _, err := io.WriteString(w, "["); err != nil {
		return
	}
	for n := 0; n+len(chunk) < hugeReply; n += len(chunk) {
		if _, err := io.WriteString(w, chunk); err != nil {
			return
		}
	}
	io.WriteString(w, `{"status":"queued"}]`)
}
