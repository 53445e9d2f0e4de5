package inventory

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

const alertsFleet = `
[alerts.smtp]
smarthost = "smtp.example.org:587"
from = "hub@example.org"
username = "hub@example.org"
password_secret = "alertmanager-smtp-password"

[[alerts.receiver]]
name = "admin-mail"
email = "admin@example.org"

[[alerts.receiver]]
name = "phone"
ntfy = "https://ntfy.example.org/hub-alerts"
token_secret = "alertmanager-ntfy-token"
severities = ["critical"]

[[alerts.receiver]]
name = "chat"
webhook = "https://hooks.example.org/alertmanager"
severities = ["critical", "warning"]
`

func TestAlertsDecode(t *testing.T) {
	dir := writeFleet(t, map[string]string{"fleet.toml": alertsFleet, "a/host.toml": goodHost})
	f, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := Alerts{
		SMTP: &SMTP{Smarthost: "smtp.example.org:587", From: "hub@example.org", Username: "hub@example.org",
			PasswordSecret: "alertmanager-smtp-password", RequireTLS: true},
		Receivers: []Receiver{
			{Name: "admin-mail", Severities: []string{"critical", "warning", "info"}, Email: "admin@example.org", Line: 8},
			{Name: "phone", Severities: []string{"critical"}, Ntfy: "https://ntfy.example.org/hub-alerts", TokenSecret: "alertmanager-ntfy-token", Line: 12},
			{Name: "chat", Severities: []string{"critical", "warning"}, Webhook: "https://hooks.example.org/alertmanager", Line: 18},
		},
		File: f.Alerts.File,
	}
	if !reflect.DeepEqual(f.Alerts, want) {
		t.Errorf("Alerts:\n got %+v\nwant %+v", f.Alerts, want)
	}
	if !strings.HasSuffix(f.Alerts.File, "fleet.toml") {
		t.Errorf("File = %q", f.Alerts.File)
	}
	if got := f.Alerts.Secrets(); !slices.Equal(got, []string{"alertmanager-ntfy-token", "alertmanager-smtp-password"}) {
		t.Errorf("Secrets = %v", got)
	}
	var kinds []string
	for _, r := range f.Alerts.Receivers {
		kinds = append(kinds, r.Kind())
	}
	if !slices.Equal(kinds, []string{ReceiverEmail, ReceiverNtfy, ReceiverWebhook}) {
		t.Errorf("kinds = %v", kinds)
	}
	if f.Alerts.Receivers[1].Takes("warning") || !f.Alerts.Receivers[1].Takes("critical") {
		t.Error("phone takes the wrong severities")
	}
}

func TestAlertsWithoutTableAreEmpty(t *testing.T) {
	f, err := Load(writeFleet(t, map[string]string{"a/host.toml": goodHost}))
	if err != nil {
		t.Fatal(err)
	}
	if f.Alerts.SMTP != nil || len(f.Alerts.Receivers) != 0 || len(f.Alerts.Secrets()) != 0 {
		t.Errorf("Alerts = %+v, want none", f.Alerts)
	}
}

// Every mistake is one line naming fleet.toml, the line and the field.
func TestAlertsErrors(t *testing.T) {
	for _, tc := range []struct{ name, toml, want string }{
		{"bad smarthost", strings.Replace(alertsFleet, `"smtp.example.org:587"`, `"smtp.example.org"`, 1),
			`fleet.toml:3: alerts.smtp.smarthost: "smtp.example.org" must be host:port`},
		{"user without password", strings.Replace(alertsFleet, `password_secret = "alertmanager-smtp-password"`, "", 1),
			`fleet.toml: alerts.smtp.password_secret: missing: username "hub@example.org" needs the agenix secret`},
		{"secret with .age", strings.Replace(alertsFleet, `"alertmanager-smtp-password"`, `"alertmanager-smtp-password.age"`, 1),
			`fleet.toml:6: alerts.smtp.password_secret: "alertmanager-smtp-password.age": name the secret without .age`},
		{"two kinds", strings.Replace(alertsFleet, `email = "admin@example.org"`, `email = "admin@example.org"`+"\n"+`webhook = "https://x.example.org/"`, 1),
			`fleet.toml:11: alerts.receiver[0].webhook: a receiver has exactly one of email, ntfy and webhook (found 2: email, webhook)`},
		{"no kind", strings.Replace(alertsFleet, `email = "admin@example.org"`, "", 1),
			`fleet.toml:9: alerts.receiver[0].name: a receiver has exactly one of email, ntfy and webhook (found 0: )`},
		{"duplicate name", strings.Replace(alertsFleet, `name = "chat"`, `name = "phone"`, 1),
			`fleet.toml:19: alerts.receiver[2].name: "phone" is the name of another receiver`},
		{"reserved name", strings.Replace(alertsFleet, `name = "chat"`, `name = "hold"`, 1),
			`fleet.toml:19: alerts.receiver[2].name: "hold" is the receiver the hub keeps`},
		{"bad severity", strings.Replace(alertsFleet, `["critical"]`, `["page"]`, 1),
			`fleet.toml:16: alerts.receiver[1].severities: severities[0] "page" is not one of critical, warning, info`},
		{"email without smtp", alertsFleet[strings.Index(alertsFleet, "[[alerts.receiver]]"):],
			`fleet.toml:3: alerts.receiver[0].email: e-mail receivers need [alerts.smtp]`},
		{"email with display name", strings.Replace(alertsFleet, `"admin@example.org"`, `"Admin <admin@example.org>"`, 1),
			`fleet.toml:10: alerts.receiver[0].email: "Admin <admin@example.org>" is not a bare e-mail address`},
		{"ntfy without topic", strings.Replace(alertsFleet, `"https://ntfy.example.org/hub-alerts"`, `"https://ntfy.example.org/"`, 1),
			`fleet.toml:14: alerts.receiver[1].ntfy: "https://ntfy.example.org/" must be the topic's URL`},
		{"credentials in url", strings.Replace(alertsFleet, `"https://hooks.example.org/alertmanager"`, `"https://u:p@hooks.example.org/alertmanager"`, 1),
			`fleet.toml:20: alerts.receiver[2].webhook: "https://u:p@hooks.example.org/alertmanager" carries credentials in the URL`},
		{"envsubst dollar", strings.Replace(alertsFleet, `/alertmanager"`, `/$TOKEN"`, 1),
			`fleet.toml:20: alerts.receiver[2].webhook: "https://hooks.example.org/$TOKEN" contains $`},
		{"not a url", strings.Replace(alertsFleet, `"https://hooks.example.org/alertmanager"`, `"hooks.example.org"`, 1),
			`fleet.toml:20: alerts.receiver[2].webhook: "hooks.example.org" is not an http:// or https:// URL`},
		{"unknown key", alertsFleet + "colour = \"red\"\n", `fleet.toml:22: alerts.receiver.colour: unknown key`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := loadFails(t, map[string]string{"fleet.toml": tc.toml, "a/host.toml": goodHost}, tc.want)
			if strings.Count(err.Error(), "\n") != 0 {
				t.Errorf("want one error, got:\n%s", err)
			}
		})
	}
}
