package monitoring

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v2"
)

// ruleGlob is how prometheus.yml finds the rule files. The ".rules.yml" suffix keeps the promtool
// tests next to them (".test.yml") out of the glob.
const ruleGlob = "rules/*.rules.yml"

// Severities, routed by Alertmanager: critical pages, warning and info go to the daily digest.
const (
	severityCritical = "critical"
	severityWarning  = "warning"
	severityInfo     = "info"
)

// alert is one alerting rule plus what it depends on.
type alert struct {
	Name     string
	Expr     string
	For      time.Duration
	Severity string
	Summary  string // one line, templated
	Detail   string // what it means and what to do, templated
	// Needs are the selectors the expression reads. An alert's expression is empty while all is
	// well, so the live test checks these instead: each must return series from the real
	// exporters, which proves the alert watches metrics that exist with the labels it expects.
	Needs []string
}

// ruleGroup is one rule file.
type ruleGroup struct {
	Name   string // group name and file stem: rules/<Name>.rules.yml
	Alerts []alert
}

// file is the group's path relative to the monitoring directory.
func (g ruleGroup) file() string { return "rules/" + g.Name + ".rules.yml" }

// testFile is the promtool unit test of the group, relative to the monitoring directory.
func (g ruleGroup) testFile() string { return "rules/" + g.Name + ".test.yml" }

// fsSelector keeps real, writable-by-design filesystems: pseudo and in-memory ones fill and
// empty by design. vfat stays in because a full /boot is what breaks NixOS switches.
const fsSelector = `fstype!~"tmpfs|ramfs|devtmpfs|squashfs|overlay|efivarfs|nsfs|fuse\\..*"`

// Thresholds shared by rules, their tests and the docs.
const (
	diskFreeRatioMin      = 0.10
	rebootPendingFor      = 3 * 24 * time.Hour
	noDeployFor           = 21 * 24 * time.Hour
	diskPredictWindow     = 6 * time.Hour
	diskPredictHorizon    = 4 * 24 * time.Hour
	diskPredictOnlyBelow  = 0.40
	hostDownFor           = 5 * time.Minute
	exporterDownFor       = 10 * time.Minute
	collectorFailingFor   = 15 * time.Minute
	mediaTargetDownFor    = 10 * time.Minute
	regressionFor         = 30 * time.Minute
	diskNearlyFullFor     = 15 * time.Minute
	diskFillingUpFor      = time.Hour
	noDeployEvaluationFor = time.Hour
	// microVMDownFor outlasts a vm:update or a host deploy restarting the guest (a TCG boot, microvm@'s 5 s RestartSec).
	microVMDownFor = 10 * time.Minute
)

// ruleGroups are the fleet's alerts.
func ruleGroups() []ruleGroup {
	avail := metricNodeFilesystemAvail + "{" + fsSelector + "}"
	size := metricNodeFilesystemSize + "{" + fsSelector + "}"
	writable := metricNodeFilesystemReadonly + "{" + fsSelector + "} == 0"
	collectorSuccess := `{__name__=~"hub_.+` + metricCollectorSuccessSuffix + `"}`
	return []ruleGroup{
		{Name: "fleet", Alerts: []alert{
			{
				Name: "HostDown", Expr: `up{job="node"} == 0`, For: hostDownFor, Severity: severityCritical,
				Summary: "{{ $labels.host }} is down",
				Detail:  "node_exporter on {{ $labels.instance }} has not answered for 5 minutes: the host is off, unreachable or node_exporter is stopped.",
				Needs:   []string{`up{job="node"}`},
			},
			{
				// A down host takes all its exporters with it; HostDown already says so.
				Name: "ExporterDown", Expr: `up{job!="node"} == 0 unless on (host) up{job="node"} == 0`, For: exporterDownFor, Severity: severityWarning,
				Summary: "{{ $labels.job }} exporter on {{ $labels.host }} is down",
				Detail:  "{{ $labels.instance }} has not answered scrapes for 10 minutes while the host is up: check the exporter's systemd unit and journal.",
				Needs:   []string{`up{job!="node"}`},
			},
			{
				Name: "ExporterCollectorFailing", Expr: collectorSuccess + ` == 0`, For: collectorFailingFor, Severity: severityWarning,
				Summary: "{{ $labels.job }} collector {{ $labels.collector }} on {{ $labels.host }} is failing",
				Detail:  "The collector has failed or timed out on every scrape for 15 minutes; its metrics are missing or stale. The exporter's log says why.",
				Needs:   []string{collectorSuccess},
			},
		}},
		{Name: "nixos", Alerts: []alert{
			{
				// for: rather than a timestamp comparison, so switching again without rebooting
				// does not restart the clock; Prometheus restores for: state across restarts.
				Name: "RebootRequired", Expr: metricNixOSRebootRequired + ` == 1`, For: rebootPendingFor, Severity: severityWarning,
				Summary: "{{ $labels.host }} has needed a reboot for 3 days ({{ $labels.reason }})",
				Detail:  "The {{ $labels.reason }} of the system the host boots next differs from the booted one, so the last deploy is not fully in effect until a reboot.",
				Needs:   []string{metricNixOSRebootRequired},
			},
			{
				// A `boot` deploy that changes no reboot component, or a `test` activation: the
				// running system is not what the next boot starts, and RebootRequired says nothing.
				// When it does say something, a reboot settles both, so this one keeps quiet.
				Name: "NextBootDiffers",
				Expr: fmt.Sprintf(`%s{role="profile"} == 0 unless on (host) %s == 1`, metricNixOSCurrentMatches, metricNixOSRebootRequired),
				For:  rebootPendingFor, Severity: severityWarning,
				Summary: "{{ $labels.host }} has not run the system it boots next for 3 days",
				Detail:  "The system profile (the next boot) is not the running system: a `boot` deploy waits for a reboot or a switch, or a `test` activation will be lost at the next reboot.",
				Needs:   []string{metricNixOSCurrentMatches + `{role="profile"}`, metricNixOSRebootRequired},
			},
			{
				Name: "NoRecentDeploy", Expr: fmt.Sprintf(`time() - %s > %d`, metricNixOSLastSwitch, int64(noDeployFor.Seconds())), For: noDeployEvaluationFor, Severity: severityInfo,
				Summary: "{{ $labels.host }} has not been deployed for 3 weeks",
				Detail:  "The running system was deployed {{ $value | humanizeDuration }} ago: the host misses fixes and security updates the rest of the fleet has.",
				Needs:   []string{metricNixOSLastSwitch},
			},
			{
				// A guest the host should run (host.toml autostart) that does not: it failed to
				// boot, crashed past microvm@'s restarts, or was stopped and forgotten. Hosts
				// without guests have no series.
				Name:     "MicroVMDown",
				Expr:     fmt.Sprintf(`%s == 0 and on (host, vm) %s == 1`, metricNixOSMicroVMRunning, metricNixOSMicroVMAutostart),
				For:      microVMDownFor,
				Severity: severityWarning,
				Summary:  "MicroVM {{ $labels.vm }} on {{ $labels.host }} is not running",
				Detail:   "The guest is declared with autostart in host.toml but its microvm@{{ $labels.vm }} unit is not running: go tool mage vm:logs {{ $labels.host }}/{{ $labels.vm }}, then vm:start.",
				Needs:    []string{metricNixOSMicroVMRunning, metricNixOSMicroVMAutostart},
			},
		}},
		{Name: "disk", Alerts: []alert{
			{
				Name: "DiskNearlyFull",
				Expr: fmt.Sprintf(`%s / %s < %g and %s`, avail, size, diskFreeRatioMin, writable),
				For:  diskNearlyFullFor, Severity: severityCritical,
				Summary: "{{ $labels.mountpoint }} on {{ $labels.host }} is over 90% full",
				Detail:  "Only {{ $value | humanizePercentage }} of {{ $labels.mountpoint }} ({{ $labels.device }}) is free. On / run nix-collect-garbage; a full /boot stops switches.",
				Needs:   []string{avail, size, metricNodeFilesystemReadonly + "{" + fsSelector + "}"},
			},
			{
				// The ratio guard keeps a brief burst of writes on a mostly empty disk quiet.
				Name: "DiskFillingUp",
				Expr: fmt.Sprintf(`predict_linear(%s[%s], %d) < 0 and %s / %s < %g and %s`,
					avail, model.Duration(diskPredictWindow), int64(diskPredictHorizon.Seconds()), avail, size, diskPredictOnlyBelow, writable),
				For: diskFillingUpFor, Severity: severityWarning,
				Summary: "{{ $labels.mountpoint }} on {{ $labels.host }} will be full within 4 days",
				Detail:  "At the rate of the last 6 hours {{ $labels.mountpoint }} ({{ $labels.device }}) runs out of space within 4 days.",
				Needs:   []string{avail, size},
			},
		}},
		{Name: "media", Alerts: []alert{
			{
				Name: "MediaTargetDown", Expr: metricMediaTargetUp + ` == 0`, For: mediaTargetDownFor, Severity: severityWarning,
				Summary: "media application {{ $labels.app }} {{ $labels.name }} on {{ $labels.host }} is down",
				Detail:  "The media exporter has not been able to query it for 10 minutes: the service is down, its API key changed or it is overloaded.",
				Needs:   []string{metricMediaTargetUp},
			},
		}},
		{Name: "baseline", Alerts: []alert{
			{
				Name: "PerformanceRegression", Expr: metricBaselineRegression + ` == 1`, For: regressionFor, Severity: severityWarning,
				Summary: "{{ $labels.host }} regressed on {{ $labels.metric }}",
				Detail:  "The baseline exporter flags {{ $labels.metric }} as beyond its z-score and absolute thresholds against the host's own baseline for 30 minutes; compare with the last deploy.",
				Needs:   []string{metricBaselineRegression},
			},
		}},
		// What the hub records but nobody watched (watch.go).
		backupGroup(),
		secretsGroup(),
		deployGroup(),
		deliveryGroup(),
		networkGroup(),
	}
}

type ruleFile struct {
	Groups []ruleFileGroup `yaml:"groups"`
}

type ruleFileGroup struct {
	Name  string     `yaml:"name"`
	Rules []ruleYAML `yaml:"rules"`
}

type ruleYAML struct {
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         model.Duration    `yaml:"for,omitempty"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// marshalRuleFile renders a group as a Prometheus rule file.
func marshalRuleFile(g ruleGroup) ([]byte, error) {
	f := ruleFile{Groups: []ruleFileGroup{{Name: "hub-" + g.Name}}}
	for _, a := range g.Alerts {
		f.Groups[0].Rules = append(f.Groups[0].Rules, ruleYAML{
			Alert:       a.Name,
			Expr:        a.Expr,
			For:         model.Duration(a.For),
			Labels:      map[string]string{"severity": a.Severity},
			Annotations: map[string]string{"summary": a.Summary, "description": a.Detail},
		})
	}
	b, err := yaml.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", g.file(), err)
	}
	return append([]byte(generatedHeader), b...), nil
}

// alertNames lists every alert of the groups, for coverage checks.
func alertNames(groups []ruleGroup) []string {
	var names []string
	for _, g := range groups {
		for _, a := range g.Alerts {
			names = append(names, a.Name)
		}
	}
	return names
}
