package monitoring

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v2"

	"github.com/nixos-hub/hub/internal/inventory"
)

func TestScrapeTarget(t *testing.T) {
	for _, tc := range []struct {
		dest, want, err string
	}{
		{dest: "p510", want: "p510:9102"},
		{dest: "root@p620.tail1234.ts.net", want: "p620.tail1234.ts.net:9102"},
		{dest: "192.0.2.7", want: "192.0.2.7:9102"},
		{dest: "[2001:db8::1]", want: "[2001:db8::1]:9102"},
		{dest: "user@", err: `host x (hosts/x/host.toml): ssh.destination "user@" is not a usable scrape address`},
		{dest: "bad name", err: `host x (hosts/x/host.toml): ssh.destination "bad name" is not a usable scrape address`},
	} {
		h := &inventory.Host{Name: "x", File: "hosts/x/host.toml", SSH: inventory.SSH{Destination: tc.dest}}
		got, err := ScrapeTarget(h, 9102)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: err = %v, want %s", tc.dest, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: got %q, %v; want %q", tc.dest, got, err, tc.want)
		}
	}
}

// TestRolesLabelMatching proves the encoding's point: a role matches exactly, never as a
// substring of another role, and hosts without roles match nothing.
func TestRolesLabelMatching(t *testing.T) {
	for _, tc := range []struct {
		roles []string
		role  string
		want  bool
	}{
		{[]string{"media-server"}, "media-server", true},
		{[]string{"build-host", "binary-cache", "ai"}, "binary-cache", true},
		{[]string{"build-host", "binary-cache", "ai"}, "ai", true},
		{[]string{"media-server-backup"}, "media-server", false},
		{[]string{"k3s"}, "k3", false},
		{nil, "media-server", false},
	} {
		re := regexp.MustCompile("^(?:" + roleMatcher(tc.role) + ")$") // Prometheus anchors label regexes
		if got := re.MatchString(rolesLabel(tc.roles)); got != tc.want {
			t.Errorf("roles %v label %q matches %s = %v, want %v", tc.roles, rolesLabel(tc.roles), tc.role, got, tc.want)
		}
	}
	if rolesLabel(nil) != "," {
		t.Errorf("no roles = %q, want \",\" so the label is always present", rolesLabel(nil))
	}
}

func TestScrapeConfigsPerExporter(t *testing.T) {
	hosts := fleetHosts(t)
	scs, err := scrapeConfigs(hosts, Exporters())
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string][]string{}
	for _, sc := range scs {
		for _, g := range sc.StaticConfigs {
			if g.Labels[labelHost] == "" || g.Labels[labelRoles] == "" {
				t.Errorf("job %s %v lacks host or roles label: %v", sc.JobName, g.Targets, g.Labels)
			}
			targets[sc.JobName] = append(targets[sc.JobName], g.Labels[labelHost]+"="+strings.Join(g.Targets, ","))
		}
	}
	// Every host of the inventory (a host added with hosts:new too), and the media exporter where
	// it is deployed only: p510 in the repository's fleet.
	var all, media []string
	for _, h := range hosts {
		all = append(all, h.Name)
		if slices.Contains(h.Features, featureMediaExporter) {
			media = append(media, h.Name)
		}
	}
	slices.Sort(all)
	slices.Sort(media)
	if !slices.Contains(media, "p510") || len(media) == len(all) {
		t.Fatalf("media exporter hosts = %v: p510 is one, and not every host", media)
	}
	for _, tc := range []struct {
		job   string
		port  string
		hosts []string
	}{
		{"node", "9100", all},
		{"nixos", "9101", all},
		{"media", "9102", media},
		{"baseline", "9103", all},
		{"alertmanager", "9093", []string{"dex5550"}},
	} {
		var want []string
		for _, h := range tc.hosts {
			want = append(want, h+"="+h+":"+tc.port)
		}
		if !slices.Equal(targets[tc.job], want) {
			t.Errorf("job %s targets = %v, want %v", tc.job, targets[tc.job], want)
		}
	}
	if len(targets) != 5 {
		t.Errorf("jobs = %v, want node, nixos, media, baseline, alertmanager", targets)
	}
}

func TestScrapeConfigsOmitExporterWithoutHosts(t *testing.T) {
	hosts := []*inventory.Host{{Name: "a", SSH: inventory.SSH{Destination: "a"}}}
	scs, err := scrapeConfigs(hosts, Exporters())
	if err != nil {
		t.Fatal(err)
	}
	var jobs []string
	for _, sc := range scs {
		jobs = append(jobs, sc.JobName)
	}
	if !slices.Equal(jobs, []string{"node", "nixos", "baseline"}) {
		t.Errorf("jobs = %v: a job without targets must be left out, not emitted empty", jobs)
	}
}

func TestExpandVariables(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`up{host=~"$host"}`, `up{host=~".*"}`},
		{`rate(x{host=~"$host"}[$__rate_interval])`, `rate(x{host=~".*"}[30s])`},
		{`time() - y`, `time() - y`},
	} {
		if got := expandVariables(tc.in, "30s"); got != tc.want {
			t.Errorf("ExpandVariables(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, q := range queries(dashboards()) {
		if strings.Contains(expandVariables(q.Expr, "1m"), "$") {
			t.Errorf("%s / %s: unexpanded variable in %s", q.Dashboard, q.Panel, q.Expr)
		}
	}
}

type promtoolTests struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		AlertRuleTest []struct {
			Alertname string `yaml:"alertname"`
			ExpAlerts []any  `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

// TestEveryAlertHasFiringAndQuietTests keeps the promtool tests complete: each alert must be
// shown both firing and not firing, in the test file of its own group.
func TestEveryAlertHasFiringAndQuietTests(t *testing.T) {
	for _, g := range ruleGroups() {
		b, err := os.ReadFile(filepath.Join(repoMonitoring, g.testFile()))
		if err != nil {
			t.Fatal(err)
		}
		var pt promtoolTests
		if err := yaml.Unmarshal(b, &pt); err != nil {
			t.Fatalf("%s: %v", g.testFile(), err)
		}
		if !slices.Equal(pt.RuleFiles, []string{filepath.Base(g.file())}) {
			t.Errorf("%s tests rule files %v, want only %s", g.testFile(), pt.RuleFiles, filepath.Base(g.file()))
		}
		firing, quiet := map[string]bool{}, map[string]bool{}
		for _, tc := range pt.Tests {
			for _, a := range tc.AlertRuleTest {
				if len(a.ExpAlerts) > 0 {
					firing[a.Alertname] = true
				} else {
					quiet[a.Alertname] = true
				}
			}
		}
		for _, a := range g.Alerts {
			if !firing[a.Name] || !quiet[a.Name] {
				t.Errorf("%s: alert %s tested firing=%v quiet=%v, want both", g.testFile(), a.Name, firing[a.Name], quiet[a.Name])
			}
		}
	}
}

func TestAlertsAreComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, g := range ruleGroups() {
		for _, a := range g.Alerts {
			if seen[a.Name] {
				t.Errorf("alert %s defined twice", a.Name)
			}
			seen[a.Name] = true
			if a.Expr == "" || a.For <= 0 || a.Summary == "" || a.Detail == "" || len(a.Needs) == 0 {
				t.Errorf("alert %s is missing expr, for, summary, detail or needs: %+v", a.Name, a)
			}
			if !slices.Contains([]string{severityCritical, severityWarning, severityInfo}, a.Severity) {
				t.Errorf("alert %s severity %q", a.Name, a.Severity)
			}
		}
	}
	want := []string{"HostDown", "ExporterDown", "ExporterCollectorFailing", "RebootRequired", "NextBootDiffers", "NoRecentDeploy", "MicroVMDown",
		"DiskNearlyFull", "DiskFillingUp", "MediaTargetDown", "PerformanceRegression"}
	want = append(want, "BackupStale", "BackupNeverSucceeded", "BackupVerifyFailed", "TextfileMetricsBroken", "SecretRotationDue", "DeployFailed", "AlertDeliveryFailing", "InterfaceFlapping")
	if got := alertNames(ruleGroups()); !slices.Equal(got, want) {
		t.Errorf("alerts = %v, want %v", got, want)
	}
}
