package monitoring

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v2"

	"github.com/nixos-hub/hub/internal/backup"
	"github.com/nixos-hub/hub/internal/baseline"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/exporter"
	"github.com/nixos-hub/hub/internal/media"
	"github.com/nixos-hub/hub/internal/media/mediatest"
	"github.com/nixos-hub/hub/internal/nixosmetrics"
	"github.com/nixos-hub/hub/internal/parallel"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// serve runs an exporter's handler on a loopback port until the test ends.
func serve(t *testing.T, e *exporter.Exporter) string {
	t.Helper()
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// nixStoreAdd puts a file tree into the real Nix store, so the NixOS exporter's closure scan
// (nix-store --query --requisites) works on it. Content-addressed: repeated runs add nothing.
func nixStoreAdd(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("nix-store", "--add", path).Output()
	if err != nil {
		t.Fatalf("nix-store --add %s: %v", path, err)
	}
	return strings.TrimSpace(string(out))
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// nixosRoot builds a NixOS-shaped root: two generations in the real store differing in kernel,
// running the second while booted into the first, so a reboot is required.
func nixosRoot(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("nix-store"); err != nil {
		t.Skip("nix-store not installed: the NixOS exporter needs a real store (Debian package nix-bin)")
	}
	src, root := t.TempDir(), t.TempDir()
	var tops []string
	for i, kv := range []string{"6.6.30", "6.6.31"} {
		writeFile(t, filepath.Join(src, "linux-"+kv, "bzImage"), "kernel "+kv)
		kernel := nixStoreAdd(t, filepath.Join(src, "linux-"+kv))
		writeFile(t, filepath.Join(src, "systemd-255", "bin", "systemd"), "systemd")
		systemd := nixStoreAdd(t, filepath.Join(src, "systemd-255"))
		top := filepath.Join(src, fmt.Sprintf("nixos-system-hub-test-%d", i+1))
		writeFile(t, filepath.Join(top, "nixos-version"), fmt.Sprintf("24.05.2024060%d.aaaaaaa", i+1))
		symlink(t, kernel+"/bzImage", filepath.Join(top, "kernel"))
		symlink(t, systemd, filepath.Join(top, "systemd"))
		tops = append(tops, nixStoreAdd(t, top))
	}
	symlink(t, "/nix/store", filepath.Join(root, "nix", "store"))
	symlink(t, filepath.Dir(nixosmetrics.StoreDB), filepath.Join(root, "nix", "var", "nix", "db"))
	profiles := filepath.Join(root, "nix", "var", "nix", "profiles")
	symlink(t, tops[0], filepath.Join(profiles, "system-1-link"))
	symlink(t, tops[1], filepath.Join(profiles, "system-2-link"))
	symlink(t, "system-2-link", filepath.Join(profiles, "system"))
	symlink(t, tops[1], filepath.Join(root, "run", "current-system"))
	symlink(t, tops[0], filepath.Join(root, "run", "booted-system"))
	// One declared guest, running (microvm.nix's booted link), for the microvm collector.
	writeFile(t, filepath.Join(root, "etc", "hub", "microvms.json"), `[{"name":"dev-vm","autostart":true,"vcpu":2,"memory_mib":2048}]`)
	symlink(t, tops[1], filepath.Join(root, "var", "lib", "microvms", "dev-vm", "booted"))
	return root
}

func nixosExporter(ctx context.Context, t *testing.T) string {
	fsys := nixosmetrics.FS{Root: nixosRoot(t)}
	scanner := &nixosmetrics.StoreScanner{FS: fsys, Interval: time.Hour, Timeout: 20 * time.Second}
	if res := scanner.Scan(ctx); res.StoreErr != nil || res.ClosureErr != nil {
		t.Fatalf("store scan: %v / %v", res.StoreErr, res.ClosureErr)
	}
	e, err := exporter.New(exporter.Options{Namespace: nixosmetrics.Namespace, Program: "hub_nixos_exporter",
		Collectors: map[string]exporter.Collector{
			"system":  nixosmetrics.NewSystemCollector(fsys, nil),
			"store":   nixosmetrics.NewStoreCollector(scanner),
			"microvm": nixosmetrics.NewMicroVMCollector(fsys, ""),
		}})
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, e)
}

// mediaSecret is the API key or token every replayed media server expects.
const mediaSecret = "0123456789abcdef"

// replay serves app's recorded API replies (internal/media/testdata) on a loopback port until the
// test ends.
func replay(t *testing.T, app string) string {
	t.Helper()
	h, err := mediatest.Handler(app, mediaSecret, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func mediaExporter(t *testing.T) string {
	sonarr, jellyfin, tautulli := replay(t, "sonarr"), replay(t, "jellyfin"), replay(t, "tautulli")
	key := filepath.Join(t.TempDir(), "key")
	writeFile(t, key, mediaSecret+"\n")
	cfg, err := media.ParseConfig(strings.NewReader(fmt.Sprintf(`
[[sonarr]]
name = "main"
url = %q
api_key_file = %q
[[jellyfin]]
name = "main"
url = %q
token_file = %q
[[tautulli]]
name = "main"
url = %q
api_key_file = %q
`, sonarr, key, jellyfin, key, tautulli, key)))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := media.NewCollectors(cfg, media.Options{TargetTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e, err := exporter.New(exporter.Options{Namespace: media.Namespace, Program: "hub_media_exporter", Collectors: cs})
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, e)
}

func baselineExporter(ctx context.Context, t *testing.T) string {
	st, err := baseline.LoadState(baseline.StatePath(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	engine := baseline.NewEngine(baseline.Config{Window: 60, Threshold: 3, MinSamples: 2}, baseline.HostSpecs, st)
	go baseline.Sample(ctx, baseline.HostSource{SysBlock: "/sys/block", Proc: "/proc"}, engine, 200*time.Millisecond, nil)
	e, err := exporter.New(exporter.Options{Namespace: "hub_baseline", Program: "hub_baseline_exporter",
		Collectors: map[string]exporter.Collector{"baseline": baseline.NewCollector(engine)}})
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, e)
}

func nodeExporter(ctx context.Context, t *testing.T) string {
	bin, err := exec.LookPath("prometheus-node-exporter")
	if err != nil {
		t.Skip("prometheus-node-exporter not installed (Debian package prometheus-node-exporter)")
	}
	// The textfile directory holds what the hub writes there, made by the writers themselves:
	// backup:run's and backup:verify's metrics, and the rotation schedule linked in as the
	// prometheus module links it (a symlink into the store).
	textfile := t.TempDir()
	writeFile(t, filepath.Join(textfile, "hub_backup_media.prom"), backup.Metric("media", time.Now(), backup.Summary{DataAdded: 1, TotalFiles: 1}))
	writeFile(t, filepath.Join(textfile, "hub_backup_verify_media.prom"), backup.VerifyMetric("media", time.Now(), true))
	writeFile(t, filepath.Join(textfile, deploy.TextfileName), deploy.Trace{Action: deploy.Switch, Result: deploy.ResultSuccess,
		End: time.Now(), Duration: time.Minute, Generation: 2, Phases: []parallel.PhaseTime{{Name: "build", Duration: 40 * time.Second}}}.Metric())
	rotation, err := filepath.Abs(filepath.Join(repoMonitoring, secretsTextfile))
	if err != nil {
		t.Fatal(err)
	}
	symlink(t, rotation, filepath.Join(textfile, filepath.Base(secretsTextfile)))
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cmd := exec.CommandContext(ctx, bin, "--web.listen-address="+addr, "--collector.disable-defaults",
		"--collector.cpu", "--collector.meminfo", "--collector.loadavg", "--collector.filesystem", "--collector.stat", "--collector.netclass",
		"--collector.textfile", "--collector.textfile.directory="+textfile)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return addr
}

// liveAlertmanager runs the real Alertmanager on the committed alertmanager.yml, on loopback,
// until the test ends; "" when it is not installed.
func liveAlertmanager(ctx context.Context, t *testing.T) string {
	bin := ""
	for _, name := range []string{"prometheus-alertmanager", "alertmanager"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		return ""
	}
	cfg, err := filepath.Abs(filepath.Join(repoMonitoring, alertmanagerFile))
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	log := start(ctx, t, bin, "--config.file="+cfg, "--storage.path="+t.TempDir(), "--web.listen-address="+addr, "--cluster.listen-address=")
	waitReady(ctx, t, "http://"+addr+"/-/ready", log)
	return addr
}

type apiResponse struct {
	Status string `json:"status"`
	Error  string `json:"error"`
	Data   struct {
		Result []json.RawMessage `json:"result"`
	} `json:"data"`
}

func query(ctx context.Context, base, expr string) (apiResponse, error) {
	var r apiResponse
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/query?query="+url.QueryEscape(expr), nil)
	if err != nil {
		return r, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return r, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("%s: %s", resp.Status, b)
	}
	if r.Status != "success" {
		return r, fmt.Errorf("%s: %s", resp.Status, r.Error)
	}
	return r, nil
}

// TestQueriesAgainstRealPrometheus scrapes the hub's real exporters, node_exporter and Alertmanager
// with a real Prometheus, then runs every dashboard query and alert expression through its HTTP API.
func TestQueriesAgainstRealPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus, Alertmanager and four exporters")
	}
	promBin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus not installed (Debian package prometheus)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 55*time.Second)
	defer cancel()

	targets := map[string]string{
		"node":     nodeExporter(ctx, t),
		"nixos":    nixosExporter(ctx, t),
		"media":    mediaExporter(t),
		"baseline": baselineExporter(ctx, t),
		// The configuration the repository renders, credentials files absent: Alertmanager
		// reads them only when it sends, and nothing fires here.
		"alertmanager": liveAlertmanager(ctx, t),
	}
	// Without Alertmanager the other exporters are still tested; what only its metrics show is
	// skipped, by name.
	missing := map[string]string{}
	if targets["alertmanager"] == "" {
		missing[metricAMNotificationsFail] = "Alertmanager not installed (Debian package prometheus-alertmanager)"
	}
	var scs []scrapeConfig
	for _, e := range Exporters() {
		if targets[e.Job] == "" {
			continue
		}
		scs = append(scs, scrapeConfig{JobName: e.Job, StaticConfigs: []staticConfig{{
			Targets: []string{targets[e.Job]},
			Labels:  map[string]string{labelHost: "testhost", labelRoles: rolesLabel([]string{roleMediaServer})},
		}}})
	}
	rules, err := filepath.Abs(filepath.Join(repoMonitoring, ruleGlob))
	if err != nil {
		t.Fatal(err)
	}
	cfg := prometheusConfig{
		Global:        global{ScrapeInterval: modelSecond, ScrapeTimeout: modelSecond, EvaluationInterval: modelSecond},
		RuleFiles:     []string{rules},
		ScrapeConfigs: scs,
	}
	b, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "prometheus.yml"), string(b))
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	prom := exec.CommandContext(ctx, promBin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	var promLog strings.Builder
	prom.Stdout, prom.Stderr = &promLog, &promLog
	if err := prom.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prom.Process.Kill(); prom.Wait() })
	base := "http://" + addr

	// Up means scraped; three more scrapes give rate() and predict_linear the samples they need.
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := query(ctx, base, fmt.Sprintf(`count(up == 1) == %d and count(count_over_time(up[1m]) >= 4) == %d`, len(scs), len(scs)))
		if err == nil && len(r.Data.Result) == 1 {
			break
		}
		if time.Now().After(deadline) {
			up, _ := query(ctx, base, `up`)
			t.Fatalf("targets not up within 30s: %v %s\nprometheus log:\n%s", err, up.Data.Result, promLog.String())
		}
		time.Sleep(300 * time.Millisecond)
	}

	mustHaveSeries := func(t *testing.T, expr string) {
		t.Helper()
		r, err := query(ctx, base, expandVariables(expr, "10s"))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if len(r.Data.Result) == 0 {
			t.Errorf("%s returned no series", expr)
		}
	}
	for _, q := range queries(dashboards()) {
		t.Run("dashboard/"+q.Dashboard+"/"+q.Panel, func(t *testing.T) {
			if q.Needs == nil {
				mustHaveSeries(t, q.Expr)
				return
			}
			if _, err := query(ctx, base, expandVariables(q.Expr, "10s")); err != nil {
				t.Fatalf("%s: %v", q.Expr, err)
			}
			for _, n := range q.Needs {
				mustHaveSeries(t, n)
			}
		})
	}
	for _, g := range ruleGroups() {
		for _, a := range g.Alerts {
			t.Run("alert/"+a.Name, func(t *testing.T) {
				for _, n := range a.Needs {
					if why, ok := missing[n]; ok {
						t.Skip(why)
					}
				}
				if _, err := query(ctx, base, a.Expr); err != nil {
					t.Fatalf("%s: %v", a.Expr, err)
				}
				for _, n := range a.Needs {
					mustHaveSeries(t, n)
				}
			})
		}
	}
	// The rule files loaded into this Prometheus are the committed ones: a rule Prometheus
	// rejected would be missing here.
	r, err := query(ctx, base, `count(ALERTS) >= 0 or vector(1)`)
	if err != nil || len(r.Data.Result) == 0 {
		t.Errorf("ALERTS query: %v", err)
	}
}

const modelSecond = model.Duration(time.Second)
