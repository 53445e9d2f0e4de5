//go:build exporterbench

// Package benchmarks measures the hub's exporters next to node_exporter in the same run:
// scrape latency (median, p99) and resident memory after the scrapes.
//
//	go test -tags exporterbench -run TestExporterScrapes -v ./benchmarks/
//
// Each exporter is pointed at real inputs: hub-nixos-exporter at a generations root built from
// internal/nixosmetrics/testdata/fixture.nix with real Nix, hub-media-exporter at loopback servers
// replaying internal/media/testdata. Before measuring, the test waits until no other go test/go
// build/test:parallel runs on the machine and logs the 1-minute load average.
package benchmarks

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/media/mediatest"
	"github.com/nixos-hub/hub/internal/nix"
)

const (
	scrapes = 200
	// scrapeTimeout is sent as X-Prometheus-Scrape-Timeout-Seconds.
	scrapeTimeout = "10"
	// mediaSecret is the token/API key every fake media server expects.
	mediaSecret = "bench-secret-0123456789"
)

type target struct {
	name  string
	cmd   []string
	addr  string
	check func(body string) error // nil: any 200 reply; else must pass before measuring
}

type result struct {
	name     string
	med, p99 time.Duration
	rssKB    int
}

func TestExporterScrapes(t *testing.T) {
	node, err := exec.LookPath("prometheus-node-exporter")
	if err != nil {
		t.Skip("prometheus-node-exporter not installed (apt-get install prometheus-node-exporter)")
	}
	bin := t.TempDir()
	for _, name := range []string{"nixos", "media", "baseline"} {
		out, err := exec.Command("go", "build", "-o", filepath.Join(bin, name), "../exporters/"+name).CombinedOutput()
		if err != nil {
			t.Fatalf("build %s: %v: %s", name, err, out)
		}
	}
	nixosRoot := buildNixOSRoot(t)
	mediaConfig, mediaInstances := startMediaFakes(t, nil)

	targets := []target{
		{name: "node_exporter 1.5.0 (Debian, defaults)", cmd: []string{node, "--web.listen-address=127.0.0.1:19100"}, addr: "127.0.0.1:19100"},
		{name: "hub-nixos-exporter", cmd: []string{filepath.Join(bin, "nixos"), "--web.listen-address=127.0.0.1:19101",
			"--nixos.root=" + nixosRoot, "--nixos.scan-interval=1h"}, addr: "127.0.0.1:19101", check: checkNixOS},
		{name: "hub-media-exporter", cmd: []string{filepath.Join(bin, "media"), "--web.listen-address=127.0.0.1:19102",
			"--media.config.file=" + mediaConfig}, addr: "127.0.0.1:19102", check: checkMedia(mediaInstances)},
		{name: "hub-baseline-exporter", cmd: []string{filepath.Join(bin, "baseline"), "--web.listen-address=127.0.0.1:19103",
			"--baseline.state-dir=" + t.TempDir(), "--baseline.sample-interval=1s", "--baseline.bench-interval=0"}, addr: "127.0.0.1:19103"},
	}

	waitQuiet(t)
	t.Logf("1-minute load average at measurement start: %s", loadAvg1())

	var results []result
	for _, tg := range targets {
		r, err := measure(tg)
		if err != nil {
			t.Fatalf("%s: %v", tg.name, err)
		}
		results = append(results, r)
	}
	t.Logf("1-minute load average at measurement end: %s", loadAvg1())

	anchor := results[0]
	t.Log("| Exporter | median | p99 | RSS | median / node_exporter | RSS / node_exporter |")
	t.Log("|---|---|---|---|---|---|")
	for _, r := range results {
		t.Logf("| %s | %v | %v | %d kB | %.2f× | %.2f× |", r.name,
			r.med.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.rssKB,
			float64(r.med)/float64(anchor.med), float64(r.rssKB)/float64(anchor.rssKB))
	}
}

// measure starts one exporter alone, waits until it answers (and passes its check), then runs
// the timed scrapes and reads VmRSS.
func measure(tg target) (result, error) {
	cmd := exec.Command(tg.cmd[0], tg.cmd[1:]...)
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	url := "http://" + tg.addr + "/metrics"
	var lastErr error
	deadline := time.Now().Add(5 * time.Minute)
	for {
		body, err := get(url)
		if err == nil && tg.check != nil {
			err = tg.check(body)
		}
		if err == nil {
			break
		}
		lastErr = err
		if time.Now().After(deadline) {
			return result{}, fmt.Errorf("not ready: %v", lastErr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var lat []time.Duration
	for i := 0; i < scrapes; i++ {
		begin := time.Now()
		if _, err := get(url); err != nil {
			return result{}, err
		}
		lat = append(lat, time.Since(begin))
	}
	rss, err := vmRSS(cmd.Process.Pid)
	if err != nil {
		return result{}, err
	}
	slices.Sort(lat)
	return result{name: tg.name, med: lat[len(lat)/2], p99: lat[len(lat)*99/100], rssKB: rss}, nil
}

func get(url string) (string, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", scrapeTimeout)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	return string(b), nil
}

func vmRSS(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

func loadAvg1() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

// waitQuiet polls every 15 s, for up to 15 minutes, until pgrep finds no go test, go build or
// test:parallel other than this test's own process and its ancestors (the go test that runs it).
func waitQuiet(t *testing.T) {
	t.Helper()
	own := map[int]bool{}
	for pid := os.Getpid(); pid > 1 && !own[pid]; pid = parentPID(pid) {
		own[pid] = true
	}
	deadline := time.Now().Add(15 * time.Minute)
	for {
		out, _ := exec.Command("pgrep", "-f", "test:parallel|go test|go build").Output()
		var others []string
		for _, f := range strings.Fields(string(out)) {
			if pid, err := strconv.Atoi(f); err == nil && !own[pid] {
				cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
				others = append(others, f+" "+strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " "))
			}
		}
		if len(others) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("machine not quiet after 15 minutes: %s", strings.Join(others, "; "))
		}
		t.Logf("waiting for quiet machine (load %s): %s", loadAvg1(), strings.Join(others, "; "))
		time.Sleep(15 * time.Second)
	}
}

func parentPID(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "PPid:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// buildNixOSRoot lays out a NixOS root as internal/nixosmetrics' tests do: fixture toplevels built
// with real Nix, four profile generations made with nix-env --set, /run/current-system on the
// newest (which has a specialisation) and /run/booted-system on generation 2 (so a reboot is
// pending), /nix/store linked to the real store.
func buildNixOSRoot(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("nix-build"); err != nil {
		t.Fatal("nix-build not installed: the NixOS exporter needs a real generations root")
	}
	gens := []string{"gen1", "gen2", "gen2sd", "withspec"}
	args := append(nix.Local().Args(), "--no-out-link", "../internal/nixosmetrics/testdata/fixture.nix")
	for _, a := range gens {
		args = append(args, "-A", a)
	}
	out, err := exec.Command("nix-build", args...).Output()
	if err != nil {
		t.Fatalf("nix-build fixture: %v", err)
	}
	paths := strings.Fields(string(out))
	if len(paths) != len(gens) {
		t.Fatalf("nix-build printed %q, want %d paths", out, len(gens))
	}
	root := t.TempDir()
	profiles := filepath.Join(root, "nix/var/nix/profiles")
	for _, d := range []string{profiles, filepath.Join(root, "run")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/nix/store", filepath.Join(root, "nix/store")); err != nil {
		t.Fatal(err)
	}
	// The store scan reads the store's database, which goes with the store.
	if err := os.Symlink("/nix/var/nix/db", filepath.Join(root, "nix/var/nix/db")); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if out, err := exec.Command("nix-env", "-p", filepath.Join(profiles, "system"), "--set", p).CombinedOutput(); err != nil {
			t.Fatalf("nix-env --set %s: %v: %s", p, err, out)
		}
	}
	for name, p := range map[string]string{"current-system": paths[3], "booted-system": paths[1]} {
		if err := os.Symlink(p, filepath.Join(root, "run", name)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// checkNixOS requires the system collector to work on the root (generations and system info
// present, collector successful) and the start-up store scan to have finished, so it is not in
// the measured window.
func checkNixOS(body string) error {
	for _, want := range []string{
		"\nhub_nixos_generations 4\n",
		"\nhub_nixos_system_info{",
		`hub_nixos_scrape_collector_success{collector="system"} 1`,
		"\nhub_nixos_store_scan_timestamp_seconds ",
	} {
		if !strings.Contains(body, want) {
			return fmt.Errorf("scrape lacks %q", strings.TrimSpace(want))
		}
	}
	return nil
}

type mediaInstance struct{ app, name string }

// checkMedia requires hub_media_up 1 for every configured instance.
func checkMedia(insts []mediaInstance) func(string) error {
	return func(body string) error {
		for _, in := range insts {
			want := fmt.Sprintf("hub_media_up{app=%q,name=%q} 1\n", in.app, in.name)
			if !strings.Contains(body, want) {
				return fmt.Errorf("scrape lacks %q", strings.TrimSpace(want))
			}
		}
		return nil
	}
}

// startMediaFakes starts one loopback server per application (swap replaces an application's
// recorded replies with another handler) and writes the exporter's config and credential
// files; it returns the config path and the configured instances.
func startMediaFakes(t *testing.T, swap map[string]http.Handler) (string, []mediaInstance) {
	t.Helper()
	dir := t.TempDir()
	var cfg strings.Builder
	var insts []mediaInstance
	for _, app := range mediatest.Apps {
		// The replay checks the credential and Accept as the real server would, so hub_media_up 1
		// means the exporter authenticated correctly.
		h, err := mediatest.Handler(app, mediaSecret, nil)
		if err != nil {
			t.Fatal(err)
		}
		if other, ok := swap[app]; ok {
			h = other
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		cred := filepath.Join(dir, app+"-credential")
		if err := os.WriteFile(cred, []byte(mediaSecret+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		key := "api_key_file"
		if app == "jellyfin" || app == "plex" {
			key = "token_file"
		}
		fmt.Fprintf(&cfg, "[[%s]]\nname = \"main\"\nurl = %q\n%s = %q\n\n", app, srv.URL, key, cred)
		insts = append(insts, mediaInstance{app, "main"})
	}
	path := filepath.Join(dir, "media.toml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, insts
}
