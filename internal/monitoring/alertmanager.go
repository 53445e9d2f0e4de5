package monitoring

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v2"

	"github.com/nixos-hub/hub/internal/inventory"
)

// Generated Alertmanager files in the monitoring directory.
const (
	alertmanagerFile = "alertmanager.yml"
	// alertmanagerSecretsFile lists the agenix secrets the configuration reads, for the NixOS
	// module: it declares each one and hands it to the alertmanager unit with LoadCredential.
	alertmanagerSecretsFile = "alertmanager-secrets.json"
)

// defaultCredentialsDir is where systemd puts a unit's LoadCredential files: the alertmanager
// unit runs as a DynamicUser, which cannot read agenix's root-only files, but can read its own
// credentials.
const defaultCredentialsDir = "/run/credentials/alertmanager.service"

// AlertmanagerOptions are the deployment-specific parts of alertmanager.yml.
type AlertmanagerOptions struct {
	CredentialsDir string // where each secret is a file named after it
	GroupWait      time.Duration
	GroupInterval  time.Duration
	// RepeatInterval is how often a still-firing group is sent again, per severity: a page
	// every few hours, a warning once a day, an info every three days.
	RepeatInterval map[string]time.Duration
}

// DefaultAlertmanagerOptions is what the monitoring server runs.
func DefaultAlertmanagerOptions() AlertmanagerOptions {
	return AlertmanagerOptions{
		CredentialsDir: defaultCredentialsDir,
		// Long enough for the alerts of one event (a host and its exporters going down) to
		// arrive together and be inhibited before anything is sent.
		GroupWait:     30 * time.Second,
		GroupInterval: 5 * time.Minute,
		// Below Alertmanager's notification log retention (--data.retention, 120h by default):
		// beyond it the log forgets a notification and Alertmanager sends it again early.
		RepeatInterval: map[string]time.Duration{
			severityCritical: 4 * time.Hour,
			severityWarning:  24 * time.Hour,
			severityInfo:     72 * time.Hour,
		},
	}
}

// ntfyPriority maps a severity to ntfy's priority (1 min ... 5 max): a critical alert rings
// through do-not-disturb on the phone, an info one arrives silently.
var ntfyPriority = map[string]int{severityCritical: 5, severityWarning: 3, severityInfo: 2}

// ntfyMaxAlerts caps the alerts in one ntfy notification: ntfy refuses bodies beyond its JSON
// limit, and a phone screen shows a handful anyway; the rest are in Alertmanager's UI.
const ntfyMaxAlerts = 10

// amConfig is the subset of alertmanager.yml the hub generates, in Alertmanager's own
// field names (config.Config of prometheus/alertmanager).
type amConfig struct {
	Global       *amGlobal       `yaml:"global,omitempty"`
	Route        amRoute         `yaml:"route"`
	InhibitRules []amInhibitRule `yaml:"inhibit_rules,omitempty"`
	Receivers    []amReceiver    `yaml:"receivers"`
}

type amGlobal struct {
	SMTPSmarthost        string `yaml:"smtp_smarthost,omitempty"`
	SMTPFrom             string `yaml:"smtp_from,omitempty"`
	SMTPAuthUsername     string `yaml:"smtp_auth_username,omitempty"`
	SMTPAuthPasswordFile string `yaml:"smtp_auth_password_file,omitempty"`
	SMTPRequireTLS       bool   `yaml:"smtp_require_tls"`
}

type amRoute struct {
	Receiver       string         `yaml:"receiver"`
	GroupBy        []string       `yaml:"group_by,omitempty"`
	GroupWait      model.Duration `yaml:"group_wait,omitempty"`
	GroupInterval  model.Duration `yaml:"group_interval,omitempty"`
	RepeatInterval model.Duration `yaml:"repeat_interval,omitempty"`
	Matchers       []string       `yaml:"matchers,omitempty"`
	Continue       bool           `yaml:"continue,omitempty"`
	Routes         []amRoute      `yaml:"routes,omitempty"`
}

type amInhibitRule struct {
	SourceMatchers []string `yaml:"source_matchers"`
	TargetMatchers []string `yaml:"target_matchers"`
	Equal          []string `yaml:"equal"`
}

type amReceiver struct {
	Name           string      `yaml:"name"`
	EmailConfigs   []amEmail   `yaml:"email_configs,omitempty"`
	WebhookConfigs []amWebhook `yaml:"webhook_configs,omitempty"`
}

type amEmail struct {
	To           string `yaml:"to"`
	SendResolved bool   `yaml:"send_resolved"`
}

type amWebhook struct {
	URL          string        `yaml:"url"`
	SendResolved bool          `yaml:"send_resolved"`
	MaxAlerts    int           `yaml:"max_alerts,omitempty"`
	HTTPConfig   *amHTTPConfig `yaml:"http_config,omitempty"`
}

type amHTTPConfig struct {
	Authorization amAuthorization `yaml:"authorization"`
}

type amAuthorization struct {
	Type            string `yaml:"type"`
	CredentialsFile string `yaml:"credentials_file"`
}

// inhibition is one inhibit rule: while Source fires, alerts matching Target that share the
// Equal labels with it are not sent (they stay visible in Alertmanager).
type inhibition struct {
	Source, Target []string // matchers, Alertmanager syntax
	Equal          []string
	Why            string
}

// inhibitions keep one cause from paging several times. A six-host fleet has few alerts at once;
// the ones that come together are a host and everything on it, or an exporter and what it
// measures.
func inhibitions() []inhibition {
	return []inhibition{
		{
			Source: []string{`alertname="HostDown"`}, Target: []string{`alertname!="HostDown"`}, Equal: []string{labelHost},
			Why: "a host that is down takes its exporters, disks and backups with it; HostDown says it once",
		},
		{
			Source: []string{`alertname="ExporterDown"`}, Target: []string{`alertname!="ExporterDown"`}, Equal: []string{labelHost, "job"},
			Why: "an exporter that is down cannot report its collectors or targets either",
		},
		{
			Source: []string{`alertname="DiskNearlyFull"`}, Target: []string{`alertname="DiskFillingUp"`}, Equal: []string{labelHost, "mountpoint"},
			Why: "a filesystem already nearly full need not also be predicted to fill",
		},
	}
}

// groupBy is how alerts are batched into one notification: the same alert on several hosts (a
// fleet-wide deploy that broke an exporter everywhere) arrives as one message.
var groupBy = []string{"alertname"}

// alertmanager renders alertmanager.yml from the inventory's [alerts]: a route per severity and
// receiver (all matching ones are notified), the inhibitions, and the receivers. Without
// receivers every alert goes to HoldReceiver, which sends nothing.
func alertmanager(a inventory.Alerts, opts AlertmanagerOptions) (*amConfig, error) {
	cred := func(secret string) string { return path.Join(opts.CredentialsDir, secret) }
	c := &amConfig{
		Route: amRoute{Receiver: inventory.HoldReceiver, GroupBy: groupBy,
			GroupWait: model.Duration(opts.GroupWait), GroupInterval: model.Duration(opts.GroupInterval),
			RepeatInterval: model.Duration(opts.RepeatInterval[severityWarning])},
		Receivers: []amReceiver{{Name: inventory.HoldReceiver}},
	}
	if s := a.SMTP; s != nil {
		c.Global = &amGlobal{SMTPSmarthost: s.Smarthost, SMTPFrom: s.From, SMTPAuthUsername: s.Username, SMTPRequireTLS: s.RequireTLS}
		if s.PasswordSecret != "" {
			c.Global.SMTPAuthPasswordFile = cred(s.PasswordSecret)
		}
	}
	for _, in := range inhibitions() {
		c.InhibitRules = append(c.InhibitRules, amInhibitRule{SourceMatchers: in.Source, TargetMatchers: in.Target, Equal: in.Equal})
	}
	// Receivers the severities' routes point at: e-mail and webhook receivers are one
	// Alertmanager receiver each; an ntfy receiver is one per severity, which sets its priority.
	receiverFor := map[[2]string]string{}
	for _, r := range a.Receivers {
		switch r.Kind() {
		case inventory.ReceiverEmail:
			c.Receivers = append(c.Receivers, amReceiver{Name: r.Name, EmailConfigs: []amEmail{{To: r.Email, SendResolved: true}}})
		case inventory.ReceiverWebhook:
			c.Receivers = append(c.Receivers, amReceiver{Name: r.Name, WebhookConfigs: []amWebhook{{URL: r.Webhook, SendResolved: true, HTTPConfig: bearer(r, cred)}}})
		}
		for _, sev := range inventory.AlertSeverities {
			if !r.Takes(sev) {
				continue
			}
			name := r.Name
			if r.Kind() == inventory.ReceiverNtfy {
				name = r.Name + "-" + sev
				u, err := ntfyURL(r.Ntfy, sev)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: alerts.receiver %s: %w", a.File, r.Line, r.Name, err)
				}
				c.Receivers = append(c.Receivers, amReceiver{Name: name, WebhookConfigs: []amWebhook{{URL: u, SendResolved: true,
					MaxAlerts: ntfyMaxAlerts, HTTPConfig: bearer(r, cred)}}})
			}
			receiverFor[[2]string{sev, r.Name}] = name
		}
	}
	// Severity first, so the routes read as "critical goes to ...". continue: every receiver
	// that takes the severity is notified, not only the first.
	for _, sev := range inventory.AlertSeverities {
		for _, r := range a.Receivers {
			name, ok := receiverFor[[2]string{sev, r.Name}]
			if !ok {
				continue
			}
			c.Route.Routes = append(c.Route.Routes, amRoute{Receiver: name, Matchers: []string{fmt.Sprintf("severity=%q", sev)},
				RepeatInterval: model.Duration(opts.RepeatInterval[sev]), Continue: true})
		}
	}
	return c, nil
}

func bearer(r inventory.Receiver, cred func(string) string) *amHTTPConfig {
	if r.TokenSecret == "" {
		return nil
	}
	return &amHTTPConfig{Authorization: amAuthorization{Type: "Bearer", CredentialsFile: cred(r.TokenSecret)}}
}

// ntfyURL is the topic URL with ntfy's built-in alertmanager template (the server renders the
// webhook JSON as title and message: server/templates/alertmanager.yml of ntfy) and the
// severity's priority. Alertmanager does not template webhook URLs, so the query is sent as is.
func ntfyURL(topic, severity string) (string, error) {
	u, err := url.Parse(topic)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	q.Set("template", "alertmanager")
	q.Set("priority", fmt.Sprint(ntfyPriority[severity]))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// marshalYAMLFile renders alertmanager.yml with the generated-file header.
func (c *amConfig) marshalYAMLFile() ([]byte, error) {
	b, err := yaml.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", alertmanagerFile, err)
	}
	return append([]byte(generatedHeader), b...), nil
}

// marshalAlertmanagerSecrets renders the secret names for Nix' builtins.fromJSON.
func marshalAlertmanagerSecrets(a inventory.Alerts) ([]byte, error) {
	s := a.Secrets()
	if s == nil {
		s = []string{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("render %s: %w", alertmanagerSecretsFile, err)
	}
	return buf.Bytes(), nil
}
