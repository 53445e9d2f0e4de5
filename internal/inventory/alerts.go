package inventory

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"strings"
)

// AlertSeverities are the severity labels the hub's alert rules carry (internal/monitoring), in
// decreasing order; a receiver takes a subset of them.
var AlertSeverities = []string{"critical", "warning", "info"}

// Alerts is fleet.toml's [alerts]: who hears about the fleet's alerts. internal/monitoring renders
// Alertmanager's configuration from it; credentials are never written here, only the names of
// agenix secrets (secrets/<name>.age) that the monitoring server decrypts.
type Alerts struct {
	SMTP      *SMTP      // [alerts.smtp]; nil without e-mail receivers
	Receivers []Receiver // [[alerts.receiver]], in file order
	File      string     // fleet.toml, for messages
}

// SMTP is the mail server every e-mail receiver sends through.
type SMTP struct {
	Smarthost      string // host:port
	From           string
	Username       string // empty: no authentication
	PasswordSecret string // agenix secret holding the password; needed with Username
	RequireTLS     bool   // STARTTLS required (default true)
}

// Receiver kinds: exactly one of email, ntfy and webhook is set in a [[alerts.receiver]].
const (
	ReceiverEmail   = "email"
	ReceiverNtfy    = "ntfy"
	ReceiverWebhook = "webhook"
)

// Receiver is one destination of notifications.
type Receiver struct {
	Name       string
	Severities []string // which severities it receives; all when host.toml says nothing
	Email      string   // recipient address
	Ntfy       string   // topic URL on an ntfy server, e.g. https://ntfy.sh/hub-alerts
	Webhook    string   // URL that receives Alertmanager's webhook JSON
	// TokenSecret names the agenix secret with a bearer token for ntfy or the webhook (an ntfy
	// access token tk_...); empty: no Authorization header.
	TokenSecret string
	Line        int // the line of its [[alerts.receiver]] header
}

// Kind is ReceiverEmail, ReceiverNtfy or ReceiverWebhook.
func (r Receiver) Kind() string {
	switch {
	case r.Email != "":
		return ReceiverEmail
	case r.Ntfy != "":
		return ReceiverNtfy
	default:
		return ReceiverWebhook
	}
}

// Takes reports whether the receiver is sent alerts of the severity.
func (r Receiver) Takes(severity string) bool { return slices.Contains(r.Severities, severity) }

// Secrets lists the agenix secrets the receivers need, sorted and without repeats: the monitoring
// server must decrypt exactly these for Alertmanager.
func (a Alerts) Secrets() []string {
	var s []string
	if a.SMTP != nil && a.SMTP.PasswordSecret != "" {
		s = append(s, a.SMTP.PasswordSecret)
	}
	for _, r := range a.Receivers {
		if r.TokenSecret != "" {
			s = append(s, r.TokenSecret)
		}
	}
	slices.Sort(s)
	return slices.Compact(s)
}

type rawAlerts struct {
	SMTP     *rawSMTP      `toml:"smtp"`
	Receiver []rawReceiver `toml:"receiver"`
}

type rawSMTP struct {
	Smarthost      string `toml:"smarthost"`
	From           string `toml:"from"`
	Username       string `toml:"username"`
	PasswordSecret string `toml:"password_secret"`
	RequireTLS     *bool  `toml:"require_tls"`
}

type rawReceiver struct {
	Name        string   `toml:"name"`
	Severities  []string `toml:"severities"`
	Email       string   `toml:"email"`
	Ntfy        string   `toml:"ntfy"`
	Webhook     string   `toml:"webhook"`
	TokenSecret string   `toml:"token_secret"`
}

// decodeAlerts builds and validates fleet.toml's [alerts]; every problem is one located Error.
func decodeAlerts(file string, raw rawAlerts) (Alerts, []error) {
	a := Alerts{File: file}
	var errs []error
	if raw.SMTP != nil {
		s := raw.SMTP
		a.SMTP = &SMTP{Smarthost: s.Smarthost, From: s.From, Username: s.Username, PasswordSecret: s.PasswordSecret, RequireTLS: true}
		if s.RequireTLS != nil {
			a.SMTP.RequireTLS = *s.RequireTLS
		}
		bad := func(key, format string, args ...any) {
			errs = append(errs, &Error{File: file, Line: findLine(file, []string{"alerts", "smtp", key}), Field: "alerts.smtp." + key, Msg: fmt.Sprintf(format, args...)})
		}
		if host, port, err := net.SplitHostPort(s.Smarthost); err != nil || host == "" || port == "" {
			bad("smarthost", "%q must be host:port of the mail server (e.g. \"smtp.example.org:587\")", s.Smarthost)
		}
		if _, err := mail.ParseAddress(s.From); err != nil || s.From == "" {
			bad("from", "%q is not an e-mail address", s.From)
		}
		switch {
		case s.Username != "" && s.PasswordSecret == "":
			bad("password_secret", "missing: username %q needs the agenix secret with its password", s.Username)
		case s.Username == "" && s.PasswordSecret != "":
			bad("username", "missing: password_secret is set, so the server wants a user name")
		}
		if msg := secretProblem(s.PasswordSecret); msg != "" {
			bad("password_secret", "%s", msg)
		}
		for _, kv := range [][2]string{{"smarthost", s.Smarthost}, {"from", s.From}, {"username", s.Username}} {
			if strings.Contains(kv[1], "$") {
				bad(kv[0], "%q contains $, which the NixOS alertmanager module's envsubst would replace", kv[1])
			}
		}
	}
	seen := map[string]bool{}
	for i, r := range raw.Receiver {
		rc := Receiver{Name: r.Name, Severities: r.Severities, Email: r.Email, Ntfy: r.Ntfy, Webhook: r.Webhook,
			TokenSecret: r.TokenSecret, Line: findNthTable(file, "alerts.receiver", i)}
		if len(rc.Severities) == 0 {
			rc.Severities = slices.Clone(AlertSeverities)
		}
		bad := func(key, format string, args ...any) {
			line := findKeyInNthTable(file, "alerts.receiver", i, key)
			if line == 0 {
				line = rc.Line
			}
			errs = append(errs, &Error{File: file, Line: line, Field: fmt.Sprintf("alerts.receiver[%d].%s", i, key), Msg: fmt.Sprintf(format, args...)})
		}
		switch {
		case r.Name == "":
			bad("name", "missing (a name such as \"admin-mail\" or \"phone\")")
		case !nameRe.MatchString(r.Name):
			bad("name", "%q must match %s", r.Name, nameRe)
		case r.Name == HoldReceiver:
			bad("name", "%q is the receiver the hub keeps for alerts nobody takes", r.Name)
		case seen[r.Name]:
			bad("name", "%q is the name of another receiver", r.Name)
		}
		seen[r.Name] = true
		var kinds []string
		for k, v := range map[string]string{ReceiverEmail: r.Email, ReceiverNtfy: r.Ntfy, ReceiverWebhook: r.Webhook} {
			if v != "" {
				kinds = append(kinds, k)
			}
		}
		slices.Sort(kinds)
		if len(kinds) != 1 {
			key := "name"
			if len(kinds) > 1 {
				key = kinds[1]
			}
			bad(key, "a receiver has exactly one of email, ntfy and webhook (found %d: %s)", len(kinds), strings.Join(kinds, ", "))
		}
		switch {
		case r.Email != "":
			if addr, err := mail.ParseAddress(r.Email); err != nil || addr.Address != r.Email || strings.Contains(r.Email, "$") {
				bad("email", "%q is not a bare e-mail address (want e.g. \"admin@example.org\")", r.Email)
			}
			if a.SMTP == nil {
				bad("email", "e-mail receivers need [alerts.smtp] (smarthost, from, username, password_secret)")
			}
			if r.TokenSecret != "" {
				bad("token_secret", "e-mail receivers authenticate with [alerts.smtp] password_secret, not a token")
			}
		case r.Ntfy != "":
			if msg := urlProblem(r.Ntfy); msg != "" {
				bad("ntfy", "%s", msg)
			} else if u, _ := url.Parse(r.Ntfy); strings.Trim(u.Path, "/") == "" || strings.Contains(strings.Trim(u.Path, "/"), "/") || u.RawQuery != "" {
				bad("ntfy", "%q must be the topic's URL, e.g. \"https://ntfy.sh/hub-alerts\" (server and one path segment, no query)", r.Ntfy)
			}
		case r.Webhook != "":
			if msg := urlProblem(r.Webhook); msg != "" {
				bad("webhook", "%s", msg)
			}
		}
		if msg := secretProblem(r.TokenSecret); msg != "" {
			bad("token_secret", "%s", msg)
		}
		sev := map[string]bool{}
		for j, s := range r.Severities {
			if !slices.Contains(AlertSeverities, s) {
				bad("severities", "severities[%d] %q is not one of %s", j, s, strings.Join(AlertSeverities, ", "))
			}
			if sev[s] {
				bad("severities", "%q listed twice", s)
			}
			sev[s] = true
		}
		a.Receivers = append(a.Receivers, rc)
	}
	return a, errs
}

// HoldReceiver is the Alertmanager receiver that sends nothing: alerts whose severity no
// receiver takes end there, visible in Alertmanager's UI and API only.
const HoldReceiver = "hold"

// secretRe is an agenix secret's name as modules use it: age.secrets.<name>, secrets/<name>.age.
var secretRe = nameRe

func secretProblem(name string) string {
	switch {
	case name == "":
		return ""
	case strings.HasSuffix(name, ".age"):
		return fmt.Sprintf("%q: name the secret without .age (%q for secrets/%s)", name, strings.TrimSuffix(name, ".age"), name)
	case !secretRe.MatchString(name):
		return fmt.Sprintf("%q must match %s (the name of secrets/<name>.age)", name, secretRe)
	}
	return ""
}

func urlProblem(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Sprintf("%q is not an http:// or https:// URL", s)
	case u.User != nil:
		return fmt.Sprintf("%q carries credentials in the URL: put a token in an agenix secret and name it in token_secret", s)
	case strings.Contains(s, "$"):
		return fmt.Sprintf("%q contains $, which the NixOS alertmanager module's envsubst would replace", s)
	}
	return ""
}
