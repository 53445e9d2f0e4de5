package monitoring

import (
	"fmt"
	"slices"
	"time"

	"go.yaml.in/yaml/v2"

	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/secrets"
)

// The alerts on what the hub records but nothing watched: backups (written by backup:run, the
// restic timers and backup:verify into node_exporter's textfile directory, internal/backup), the
// rotation schedule of secrets (rotation.toml, rendered here as a textfile for the monitoring
// server) and the textfile collector itself, which serves all of them.

// Metric names of the textfile metrics.
const (
	metricBackupLastSuccess   = "hub_backup_last_success_timestamp_seconds" // internal/backup.Metric, modules/lib/backup-sets.nix
	metricBackupVerifySuccess = "hub_backup_verify_success"                 // internal/backup.VerifyMetric
	metricBackupVerifyLastRun = "hub_backup_verify_last_run_timestamp_seconds"
	metricSecretRotationDue   = "hub_secret_rotation_due_timestamp_seconds" // internal/secrets.RotationMetrics
	metricNodeTextfileError   = "node_textfile_scrape_error"
	metricDeployLastTimestamp = "hub_deploy_last_timestamp_seconds" // internal/deploy.Trace, after every deploy
	metricDeployLastDuration  = "hub_deploy_last_duration_seconds"
	metricDeployLastGen       = "hub_deploy_last_generation"
	metricAMNotificationsFail = "alertmanager_notifications_failed_total" // Alertmanager's own, per integration
	// metricBackupMaxAge is recorded from the inventory (policyGroup): each set's max_age.
	metricBackupMaxAge = "hub_backup_max_age_seconds"
)

// secretsTextfile is the rotation schedule for the monitoring server's node_exporter, relative to
// the monitoring directory; the prometheus module links it into the textfile directory.
const secretsTextfile = "textfile/hub_secrets_rotation.prom"

const (
	backupStaleFor        = 15 * time.Minute
	backupNeverFor        = inventory.DefaultBackupMaxAge // a first timer run has had its day
	backupVerifyFailedFor = 5 * time.Minute
	textfileBrokenFor     = 15 * time.Minute
	secretRotationDueFor  = time.Hour
	deployFailedFor       = 5 * time.Minute
	deliveryFailingFor    = 15 * time.Minute
	labelSet              = "set"
)

func backupGroup() ruleGroup {
	return ruleGroup{Name: "backup", Alerts: []alert{
		{
			// The threshold is the set's own max_age from host.toml, recorded by policyGroup, so
			// a weekly set and a daily one each alert when they are late by their own measure.
			Name: "BackupStale",
			Expr: fmt.Sprintf(`time() - %s > on (%s, %s) group_left %s`, metricBackupLastSuccess, labelHost, labelSet, metricBackupMaxAge),
			For:  backupStaleFor, Severity: severityWarning,
			Summary: "backup set {{ $labels.set }} of {{ $labels.host }} is stale",
			Detail:  "The last successful backup of {{ $labels.set }} was {{ $value | humanizeDuration }} ago, longer than its max_age in host.toml: read the journal of restic-backups-{{ $labels.host }}-{{ $labels.set }}.service, or run backup:run.",
			Needs:   []string{metricBackupLastSuccess, metricBackupMaxAge},
		},
		{
			// No metric at all: the set never succeeded on this host (or its textfile was
			// removed). A down host loses all its metrics; HostDown inhibits this then.
			Name: "BackupNeverSucceeded",
			Expr: fmt.Sprintf(`%s unless on (%s, %s) %s`, metricBackupMaxAge, labelHost, labelSet, metricBackupLastSuccess),
			For:  backupNeverFor, Severity: severityWarning,
			Summary: "backup set {{ $labels.set }} of {{ $labels.host }} has no successful backup",
			Detail:  "host.toml declares the set but its host has reported no successful backup of it for a day: the timer never succeeded or node_exporter's textfile directory lacks hub_backup_{{ $labels.set }}.prom.",
			Needs:   []string{metricBackupMaxAge},
		},
		{
			Name: "BackupVerifyFailed", Expr: metricBackupVerifySuccess + ` == 0`, For: backupVerifyFailedFor, Severity: severityWarning,
			Summary: "backup:verify of {{ $labels.set }} on {{ $labels.host }} failed",
			Detail:  "The last backup:verify of the set failed: restic check found the repository damaged, or sampled files did not restore to their content. Backups of the set may not be restorable; run backup:verify again and read its output.",
			Needs:   []string{metricBackupVerifySuccess},
		},
		{
			// The backup and rotation metrics all come through this collector: a file it cannot
			// parse silently drops them.
			Name: "TextfileMetricsBroken", Expr: metricNodeTextfileError + ` == 1`, For: textfileBrokenFor, Severity: severityWarning,
			Summary: "node_exporter on {{ $labels.host }} cannot read its textfile metrics",
			Detail:  "A *.prom file in the textfile directory does not parse, so the backup and rotation metrics of {{ $labels.host }} may be missing: node_exporter's log names the file.",
			Needs:   []string{metricNodeTextfileError},
		},
	}}
}

func secretsGroup() ruleGroup {
	return ruleGroup{Name: "secrets", Alerts: []alert{
		{
			Name: "SecretRotationDue", Expr: fmt.Sprintf(`time() - %s > 0`, metricSecretRotationDue), For: secretRotationDueFor, Severity: severityWarning,
			Summary: "secret {{ $labels.secret }} is past its rotation date",
			Detail:  "rotation.toml's period for {{ $labels.secret }} ran out {{ $value | humanizeDuration }} ago (a secret never rotated counts from 1970): run secrets:due, then secrets:rotate.",
			Needs:   []string{metricSecretRotationDue},
		},
	}}
}

func deployGroup() ruleGroup {
	return ruleGroup{Name: "deploy", Alerts: []alert{
		{
			// The trace holds the last deploy only: the alert lasts until a deploy succeeds.
			Name: "DeployFailed", Expr: metricDeployLastTimestamp + `{result="failed"}`, For: deployFailedFor, Severity: severityWarning,
			Summary: "the last deploy to {{ $labels.host }} failed in {{ $labels.phase }}",
			Detail:  "The last hub deploy ({{ $labels.action }}) to {{ $labels.host }} failed in its {{ $labels.phase }} phase: the host runs what it ran before (magic rollback) or the step stopped before activation. The run's log is under .hub/runs/ on the machine that deployed; fix and deploy again.",
			Needs:   []string{metricDeployLastTimestamp},
		},
	}}
}

func deliveryGroup() ruleGroup {
	return ruleGroup{Name: "delivery", Alerts: []alert{
		{
			// Critical, so it goes to every receiver there is: the one that fails may be the only
			// one it cannot reach.
			Name: "AlertDeliveryFailing", Expr: fmt.Sprintf(`rate(%s[15m]) > 0`, metricAMNotificationsFail), For: deliveryFailingFor, Severity: severityCritical,
			Summary: "Alertmanager on {{ $labels.host }} cannot deliver by {{ $labels.integration }}",
			Detail:  "Notifications by {{ $labels.integration }} have been failing for 15 minutes, so alerts may reach nobody: Alertmanager's log (journalctl -u alertmanager) says why (credentials, the SMTP server, the ntfy or webhook URL).",
			Needs:   []string{metricAMNotificationsFail},
		},
	}}
}

// record is one recording rule.
type record struct {
	Name   string
	Expr   string
	Labels map[string]string
}

// recordGroup is a rule file of recording rules generated from the inventory.
type recordGroup struct {
	Name    string
	Records []record
}

// file is the group's path relative to the monitoring directory.
func (g recordGroup) file() string { return "rules/" + g.Name + ".rules.yml" }

// policyGroup records what the inventory says the backups should be: one constant series per
// host and set, hub_backup_max_age_seconds{host, set}, which BackupStale compares with and
// whose presence BackupNeverSucceeded expects a success metric for.
func policyGroup(hosts []*inventory.Host) recordGroup {
	g := recordGroup{Name: "backup-policy"}
	for _, h := range hosts {
		for _, s := range h.Backups {
			g.Records = append(g.Records, record{Name: metricBackupMaxAge, Expr: fmt.Sprintf("vector(%d)", int64(s.MaxAge.Seconds())),
				Labels: map[string]string{labelHost: h.Name, labelSet: s.Name}})
		}
	}
	return g
}

type recordYAML struct {
	Record string            `yaml:"record"`
	Expr   string            `yaml:"expr"`
	Labels map[string]string `yaml:"labels"`
}

type recordFile struct {
	Groups []struct {
		Name  string       `yaml:"name"`
		Rules []recordYAML `yaml:"rules"`
	} `yaml:"groups"`
}

// marshalRecordFile renders a group as a Prometheus rule file.
func marshalRecordFile(g recordGroup) ([]byte, error) {
	var f recordFile
	f.Groups = make([]struct {
		Name  string       `yaml:"name"`
		Rules []recordYAML `yaml:"rules"`
	}, 1)
	f.Groups[0].Name = "hub-" + g.Name
	f.Groups[0].Rules = []recordYAML{}
	for _, r := range g.Records {
		f.Groups[0].Rules = append(f.Groups[0].Rules, recordYAML{Record: r.Name, Expr: r.Expr, Labels: r.Labels})
	}
	b, err := yaml.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", g.file(), err)
	}
	return append([]byte(generatedHeader), b...), nil
}

// secretsTextfileContent is the rotation schedule's textfile; nil rotation: no secrets.
func secretsTextfileContent(rot *secrets.Rotation) []byte {
	if rot == nil {
		return []byte(secrets.RotationMetrics(nil))
	}
	// Due dates do not depend on the time of rendering, only Overdue would.
	items := rot.Schedule(time.Time{})
	slices.SortFunc(items, func(a, b secrets.DueItem) int {
		if a.Name < b.Name {
			return -1
		}
		return 1
	})
	return []byte(secrets.RotationMetrics(items))
}
