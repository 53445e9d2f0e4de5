package monitoring

import (
	"context"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/secrets"
)

// repoMonitoring is the committed output; the tests treat it as the golden files.
const repoMonitoring = "../../monitoring"

func fleet(t *testing.T) *inventory.Fleet {
	t.Helper()
	f, err := inventory.Load("../../hosts")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func fleetHosts(t *testing.T) []*inventory.Host { return fleet(t).Hosts }

func allFiles(t *testing.T) Files {
	t.Helper()
	rot, err := secrets.ReadRotation("../../secrets")
	if err != nil {
		t.Fatal(err)
	}
	files, err := ConfigFiles(fleet(t), rot, DefaultConfigOptions(), DefaultAlertmanagerOptions())
	if err != nil {
		t.Fatal(err)
	}
	dash, err := DashboardFiles()
	if err != nil {
		t.Fatal(err)
	}
	for p, b := range dash {
		files[p] = b
	}
	return files
}

// TestGeneratedFilesAreCurrent is the golden test of every generated file: the committed
// monitoring/ must be exactly what the inventory and this package produce.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	files := allFiles(t)
	if goldenfile.Update() {
		if _, err := Write(repoMonitoring, files); err != nil {
			t.Fatal(err)
		}
	}
	stale, err := staleFiles(repoMonitoring, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Fatalf("monitoring/ is out of date (run `go tool mage monitor:config monitor:dashboards` or go test -update): %v", stale)
	}
	want := []string{
		"alertmanager-secrets.json", "alertmanager.yml",
		"dashboards/hub-fleet-overview.json", "dashboards/hub-media.json", "dashboards/hub-nixos-generations.json",
		"dashboards/hub-performance-baselines.json", "prometheus.yml",
		"rules/backup-policy.rules.yml", "rules/backup.rules.yml",
		"rules/baseline.rules.yml", "rules/delivery.rules.yml", "rules/deploy.rules.yml", "rules/disk.rules.yml", "rules/fleet.rules.yml", "rules/media.rules.yml", "rules/network.rules.yml", "rules/nixos.rules.yml",
		"rules/secrets.rules.yml", "scrape-configs.json", "textfile/hub_secrets_rotation.prom",
	}
	if got := files.paths(); !slices.Equal(got, want) {
		t.Errorf("generated files = %v, want %v", got, want)
	}
}

func TestWriteReportsOnlyChangedFiles(t *testing.T) {
	dir := t.TempDir()
	files := Files{"a.yml": []byte("a\n"), "sub/b.json": []byte("{}\n")}
	changed, err := Write(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(changed, []string{"a.yml", "sub/b.json"}) {
		t.Errorf("first write changed %v", changed)
	}
	files["a.yml"] = []byte("a2\n")
	changed, err = Write(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(changed, []string{"a.yml"}) {
		t.Errorf("second write changed %v, want only a.yml", changed)
	}
	if stale, _ := staleFiles(dir, files); len(stale) != 0 {
		t.Errorf("stale after write: %v", stale)
	}
	files["c.yml"] = []byte("c\n")
	if stale, _ := staleFiles(dir, files); !slices.Equal(stale, []string{"c.yml"}) {
		t.Errorf("stale = %v, want the missing c.yml", stale)
	}
	var left []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			left = append(left, filepath.ToSlash(rel))
		}
		return err
	})
	if !slices.Equal(left, []string{"a.yml", "sub/b.json"}) {
		t.Errorf("files under the directory: %v, want a.yml and sub/b.json only (no temporary file)", left)
	}
}

func promtoolPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian package prometheus)")
	}
	return p
}

// TestPromtool runs the real promtool on the committed configuration: check config (which loads
// the rule files through rule_files), check rules, and the rule unit tests.
func TestPromtool(t *testing.T) {
	promtool := promtoolPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	e := &command.Executor{}
	defer e.Close()
	for _, s := range promtoolSteps(repoMonitoring, promtool) {
		t.Run(strings.ReplaceAll(s.Name, " ", "-"), func(t *testing.T) {
			res, err := e.Local().Run(ctx, command.Cmd{Args: s.Args})
			if err != nil {
				t.Fatalf("%v\n%s%s", err, res.Stdout, res.Stderr)
			}
			if s.Name == "test rules" && !strings.Contains(string(res.Stdout), "SUCCESS") {
				t.Errorf("promtool test rules did not report SUCCESS:\n%s", res.Stdout)
			}
		})
	}
}

// TestCheckFailsOnBrokenRule proves Check is not vacuous: a rule file promtool rejects fails it
// with promtool's own explanation.
func TestCheckFailsOnBrokenRule(t *testing.T) {
	promtool := promtoolPath(t)
	dir := t.TempDir()
	files := allFiles(t)
	files["rules/disk.rules.yml"] = []byte("groups:\n- name: broken\n  rules:\n  - alert: X\n    expr: rate(up[5m]\n")
	if _, err := Write(dir, files); err != nil {
		t.Fatal(err)
	}
	e := &command.Executor{}
	defer e.Close()
	out, err := Check(context.Background(), e.Local(), dir, promtool, "amtool")
	if err == nil || !strings.Contains(err.Error(), "promtool check config") {
		t.Fatalf("err = %v, want a check config failure", err)
	}
	if !strings.Contains(out, "disk.rules.yml") {
		t.Errorf("output does not name the broken file:\n%s", out)
	}
}
