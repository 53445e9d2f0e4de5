package nixosmetrics

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nixos-hub/hub/internal/exporter"
	"github.com/nixos-hub/hub/internal/goldenfile"
)

var scenarios = []struct {
	name string
	sc   scenario
}{
	// Running what it booted: /run/current-system is dated by the boot's relink (epoch+10h), the
	// deploy by generation 2's link (epoch+2h), which last_switch_timestamp_seconds must report.
	{"steady", scenario{generations: []string{"gen1", "gen2"}, current: "gen2", booted: "gen2"}},
	{"kernel-update-pending-reboot", scenario{generations: []string{"gen1", "gen2"}, current: "gen2", booted: "gen1"}},
	{"systemd-update", scenario{generations: []string{"gen2", "gen2sd"}, current: "gen2sd", booted: "gen2"}},
	{"test-activation", scenario{generations: []string{"gen1", "gen2"}, current: "testsys", booted: "gen2"}},
	{"kernel-params-update", scenario{generations: []string{"gen2", "gen2kp"}, current: "gen2kp", booted: "gen2"}},
	// nixos-rebuild boot: the profile is ahead of the running and booted system.
	{"boot-not-running", scenario{generations: []string{"gen1", "gen2", "gen2sd"}, current: "gen2", booted: "gen2"}},
	{"boot-deploy-kernel", scenario{generations: []string{"gen1", "gen2"}, current: "gen1", booted: "gen1"}},
	{"booted-garbage-collected", scenario{generations: []string{"gen2"}, current: "gen2", booted: "gone"}},
	{"specialisation", scenario{generations: []string{"gen1", "withspec"}, current: "gaming", booted: "withspec"}},
	// Booted into the specialisation's own boot entry: its kernel-params differ from its parent's,
	// but the next boot of that entry is the same specialisation, so no reboot is needed.
	{"booted-specialisation", scenario{generations: []string{"gen1", "withspec"}, current: "gaming", booted: "gaming"}},
	{"no-run-links", scenario{generations: []string{"gen1"}}},
}

// storeAliases maps store paths to @attr@ in golden files, longest first so a path is never
// replaced by a prefix of it.
func storeAliases(paths map[string]string) *strings.Replacer {
	attrs := make([]string, 0, len(paths))
	for a := range paths {
		attrs = append(attrs, a)
	}
	sort.Slice(attrs, func(i, j int) bool { return len(paths[attrs[i]]) > len(paths[attrs[j]]) })
	var pairs []string
	for _, a := range attrs {
		pairs = append(pairs, paths[a], "@"+a+"@")
	}
	return strings.NewReplacer(pairs...)
}

func expand(paths map[string]string, golden []byte) string {
	s := string(golden)
	for a, p := range paths {
		s = strings.ReplaceAll(s, "@"+a+"@", p)
	}
	return s
}

// compareGolden checks the bound collectors' output against testdata/<name>.prom.
func compareGolden(t *testing.T, paths map[string]string, exp *exporter.Exporter, name string, metrics ...string) {
	t.Helper()
	file := filepath.Join("testdata", name+".prom")
	if goldenfile.Update() {
		var buf bytes.Buffer
		reg := testutilRegistry(t, exp)
		if err := writeText(&buf, reg, metrics); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(storeAliases(paths).Replace(buf.String())), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := testutil.CollectAndCompare(exp.Bind(context.Background()), strings.NewReader(expand(paths, golden)), metrics...); err != nil {
		t.Error(err)
	}
}

var systemMetrics = []string{
	"hub_nixos_generations", "hub_nixos_profile_generation", "hub_nixos_profile_generation_timestamp_seconds",
	"hub_nixos_system_info", "hub_nixos_system_present", "hub_nixos_specialisations",
	"hub_nixos_current_generation", "hub_nixos_current_in_profile", "hub_nixos_current_specialisation_info",
	"hub_nixos_current_matches", "hub_nixos_reboot_required", "hub_nixos_last_switch_timestamp_seconds",
	"hub_nixos_flake_input_last_modified_timestamp_seconds", "hub_nixos_scrape_collector_success",
}

func TestSystemCollectorGolden(t *testing.T) {
	paths := buildFixture(t)
	for _, tc := range scenarios {
		t.Run(tc.name, func(t *testing.T) {
			root := makeRoot(t, paths, tc.sc)
			exp := newExporter(t, map[string]exporter.Collector{"system": NewSystemCollector(FS{Root: root}, nil)})
			compareGolden(t, paths, exp, tc.name, systemMetrics...)
		})
	}
}

func TestSystemCollectorFailsWithoutProfiles(t *testing.T) {
	exp := newExporter(t, map[string]exporter.Collector{"system": NewSystemCollector(FS{Root: t.TempDir()}, nil)})
	want := `# HELP hub_nixos_scrape_collector_success Whether the collector succeeded in this scrape (1) or failed or ran out of time (0).
# TYPE hub_nixos_scrape_collector_success gauge
hub_nixos_scrape_collector_success{collector="system"} 0
`
	if err := testutil.CollectAndCompare(exp.Bind(context.Background()), strings.NewReader(want), "hub_nixos_scrape_collector_success", "hub_nixos_generations"); err != nil {
		t.Error(err)
	}
}

func TestStoreScanGoldenAndBounds(t *testing.T) {
	paths := buildFixture(t)
	root := makeRoot(t, paths, scenarios[0].sc)
	scanner := &StoreScanner{FS: FS{Root: root}, Interval: time.Hour, Timeout: time.Minute, Now: func() time.Time { return epoch }}
	exp := newExporter(t, map[string]exporter.Collector{"store": NewStoreCollector(scanner)})

	// Before the first scan the collector has nothing to say, and says nothing rather than zeros.
	if n := testutil.CollectAndCount(exp.Bind(context.Background()), "hub_nixos_store_size_bytes", "hub_nixos_closure_size_bytes"); n != 0 {
		t.Errorf("before first scan: %d size series, want 0", n)
	}
	res := scanner.Scan(context.Background())
	if res.StoreErr != nil || res.ClosureErr != nil {
		t.Fatalf("scan: store %v, closure %v", res.StoreErr, res.ClosureErr)
	}
	if res.ClosureOf != paths["gen2"] {
		t.Errorf("closure of %s, want %s", res.ClosureOf, paths["gen2"])
	}
	// The store holds the closure and more; its size depends on the machine, so it is bounded
	// here rather than pinned in the golden file.
	if res.StoreBytes < res.ClosureBytes || res.StorePaths < res.ClosurePaths {
		t.Errorf("store (%d bytes, %d paths) smaller than closure (%d bytes, %d paths)", res.StoreBytes, res.StorePaths, res.ClosureBytes, res.ClosurePaths)
	}
	compareGolden(t, paths, exp, "store-scan", "hub_nixos_closure_size_bytes", "hub_nixos_closure_paths",
		"hub_nixos_store_scan_timestamp_seconds", "hub_nixos_store_scan_success")
}

func TestStoreScanReportsMissingNixStore(t *testing.T) {
	paths := buildFixture(t)
	root := makeRoot(t, paths, scenarios[0].sc)
	scanner := &StoreScanner{FS: FS{Root: root}, NixStore: filepath.Join(t.TempDir(), "no-nix-store"), Interval: time.Hour, Now: func() time.Time { return epoch }}
	res := scanner.Scan(context.Background())
	if res.ClosureErr == nil || res.StoreErr != nil {
		t.Fatalf("closure err %v, store err %v: want closure failure only", res.ClosureErr, res.StoreErr)
	}
	exp := newExporter(t, map[string]exporter.Collector{"store": NewStoreCollector(scanner)})
	want := `# HELP hub_nixos_store_scan_success Whether the last scan measured the part (store or closure).
# TYPE hub_nixos_store_scan_success gauge
hub_nixos_store_scan_success{part="closure"} 0
hub_nixos_store_scan_success{part="store"} 1
`
	if err := testutil.CollectAndCompare(exp.Bind(context.Background()), strings.NewReader(want), "hub_nixos_store_scan_success", "hub_nixos_closure_size_bytes"); err != nil {
		t.Error(err)
	}
}

func TestScanIsBoundedByTimeout(t *testing.T) {
	paths := buildFixture(t)
	root := makeRoot(t, paths, scenarios[0].sc)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := (&StoreScanner{FS: FS{Root: root}, Interval: time.Hour}).Scan(ctx)
	if res.StoreErr == nil || res.ClosureErr == nil {
		t.Errorf("scan with a cancelled context succeeded: %+v", res)
	}
}

// TestPromtoolCheckMetrics runs the real promtool over a full scrape of the exporter.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed")
	}
	paths := buildFixture(t)
	root := makeRoot(t, paths, scenarios[1].sc)
	scanner := &StoreScanner{FS: FS{Root: root}, Interval: time.Hour}
	scanner.Scan(context.Background())
	exp := newExporter(t, map[string]exporter.Collector{
		"system": NewSystemCollector(FS{Root: root}, nil),
		"store":  NewStoreCollector(scanner),
	})
	srv := httptest.NewServer(exp.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	if !bytes.Contains(body, []byte(`hub_nixos_reboot_required{reason="kernel"} 1`)) {
		t.Error("scrape lacks the pending kernel reboot")
	}
}

// The store changes while it is scanned: a path listed and then deleted (garbage collection, a
// build's .lock file) counts as nothing, not as a failed scan. It made the store scan fail
// whenever a build ran beside it.
func TestWalkSizeSkipsWhatVanished(t *testing.T) {
	dir := t.TempDir()
	if n, err := walkSize(context.Background(), filepath.Join(dir, "gone.lock"), nil); err != nil || n != 0 {
		t.Errorf("walkSize of a vanished path = %d, %v; want 0, nil", n, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "f"), make([]byte, 100), 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := walkSize(context.Background(), dir, nil); err != nil || n != 100 {
		t.Errorf("walkSize = %d, %v; want 100, nil", n, err)
	}
	if _, err := walkSize(context.Background(), filepath.Join(dir, "f", "not-a-dir"), nil); err == nil {
		t.Error("walkSize under a regular file succeeded; only vanished paths are skipped")
	}
}
