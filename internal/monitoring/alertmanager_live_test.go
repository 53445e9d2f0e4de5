package monitoring

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v2"
)

// webhookPayload is the part of Alertmanager's webhook JSON (version 4) the test reads.
type webhookPayload struct {
	Version  string `json:"version"`
	Receiver string `json:"receiver"`
	Status   string `json:"status"`
	Alerts   []struct {
		Status      string            `json:"status"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"alerts"`
}

// delivery is one request the loopback receiver got.
type delivery struct {
	Path, Query, Authorization string
	Payload                    webhookPayload
}

// receiverServer is the loopback webhook receiver: it records every delivery.
type receiverServer struct {
	mu   sync.Mutex
	got  []delivery
	errs []error
}

func (s *receiverServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	d := delivery{Path: r.URL.Path, Query: r.URL.RawQuery, Authorization: r.Header.Get("Authorization")}
	if err == nil {
		err = json.Unmarshal(b, &d.Payload)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.errs = append(s.errs, fmt.Errorf("%s %s: %v: %s", r.Method, r.URL, err, b))
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.got = append(s.got, d)
}

func (s *receiverServer) deliveries() ([]delivery, []error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got), slices.Clone(s.errs)
}

// get is a diagnostic GET for failure messages: the body, or why there is none.
func get(url string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func alertmanagerBinary(t *testing.T) string {
	t.Helper()
	// Debian's binary is named after its package; nixpkgs' (nix develop) is plain alertmanager.
	for _, name := range []string{"prometheus-alertmanager", "alertmanager"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("Alertmanager not installed (Debian package prometheus-alertmanager): alert delivery is not tested")
	return ""
}

func start(ctx context.Context, t *testing.T, name string, args ...string) *strings.Builder {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return &log
}

func waitReady(ctx context.Context, t *testing.T, url string, log *strings.Builder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s not ready: %v\n%s", url, ctx.Err(), log.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// TestAlertDelivery is the whole path of an alert: a real Prometheus evaluates the hub's
// HostDown rule against a scrape that fails, sends the alert to a real Alertmanager running the
// configuration rendered from an inventory, and Alertmanager delivers it to a loopback webhook
// receiver and to an ntfy receiver (the same loopback server standing in for the ntfy server),
// each with its bearer token read from a credentials file, and by e-mail to a loopback SMTP
// server, authenticating with the password from its credentials file. A second alert on the same host is
// inhibited by HostDown; the same alert on another host is delivered.
func TestAlertDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus and Alertmanager")
	}
	amBin := alertmanagerBinary(t)
	promBin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus not installed (Debian package prometheus): alert delivery is not tested")
	}
	// The processes outlive the wait by a little, so a failure can still ask them what they hold.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	deadline := time.Now().Add(40 * time.Second)
	dir := t.TempDir()

	rs := &receiverServer{}
	srv := httptest.NewServer(rs) // 127.0.0.1, a free port
	t.Cleanup(srv.Close)

	mail := newSMTPSink(t)
	creds := filepath.Join(dir, "credentials")
	writeFile(t, filepath.Join(creds, "hook-token"), "hook-secret\n")
	writeFile(t, filepath.Join(creds, "ntfy-token"), "tk_ntfysecret\n")
	writeFile(t, filepath.Join(creds, "smtp-password"), "mail-secret")
	// require_tls = false: the loopback sink speaks no TLS; the PLAIN authentication Alertmanager
	// uses (Go's net/smtp) sends a password in the clear only to 127.0.0.1 or localhost.
	alerts := testAlerts(t, fmt.Sprintf(`
[alerts.smtp]
smarthost = "%s"
from = "hub-alerts@example.org"
username = "hub-alerts@example.org"
password_secret = "smtp-password"
require_tls = false

[[alerts.receiver]]
name = "mail"
email = "admin@example.org"
severities = ["critical"]

[[alerts.receiver]]
name = "hook"
webhook = "%s/hook"
token_secret = "hook-token"

[[alerts.receiver]]
name = "phone"
ntfy = "%s/hub-alerts"
token_secret = "ntfy-token"
severities = ["critical"]
`, mail.addr, srv.URL, srv.URL))
	opts := DefaultAlertmanagerOptions()
	opts.CredentialsDir = creds
	opts.GroupWait, opts.GroupInterval = time.Second, time.Second
	am, err := alertmanager(alerts, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := am.marshalYAMLFile()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, alertmanagerFile), string(b))
	amAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	amLog := start(ctx, t, amBin, "--config.file="+filepath.Join(dir, alertmanagerFile),
		"--storage.path="+filepath.Join(dir, "am-data"), "--web.listen-address="+amAddr,
		"--cluster.listen-address=") // no HA gossip port
	waitReady(ctx, t, "http://"+amAddr+"/-/ready", amLog)

	// The hub's HostDown as rendered for the fleet, without its 5m wait; Secondary stands for
	// any other alert of the same host, firing from the evaluation after HostDown's, so
	// Alertmanager knows the inhibiting alert when it groups it.
	var hostDown alert
	for _, g := range ruleGroups() {
		for _, a := range g.Alerts {
			if a.Name == "HostDown" {
				hostDown = a
			}
		}
	}
	hostDown.For = 0
	secondary := alert{Name: "Secondary", Severity: severityWarning, Summary: "{{ $labels.host }} secondary", Detail: "secondary",
		Expr: `label_replace(ALERTS{alertname="HostDown",alertstate="firing"} * 0 + 1, "alertstate", "", "", "") ` +
			`or label_replace(vector(1), "host", "up-host", "", "")`}
	rules, err := marshalRuleFile(ruleGroup{Name: "delivery", Alerts: []alert{hostDown, secondary}})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "delivery.rules.yml"), string(rules))
	closed := fmt.Sprintf("127.0.0.1:%d", freePort(t)) // nothing listens: up == 0
	cfg := prometheusConfig{
		Global:    global{ScrapeInterval: modelSecond, ScrapeTimeout: modelSecond, EvaluationInterval: modelSecond},
		Alerting:  &alerting{Alertmanagers: []alertmanagerConfig{{StaticConfigs: []staticConfig{{Targets: []string{amAddr}}}}}},
		RuleFiles: []string{filepath.Join(dir, "delivery.rules.yml")},
		ScrapeConfigs: []scrapeConfig{{JobName: "node", StaticConfigs: []staticConfig{{Targets: []string{closed},
			Labels: map[string]string{labelHost: "down-host", labelRoles: ","}}}}},
	}
	pb, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, prometheusFile), string(pb))
	promAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	promLog := start(ctx, t, promBin, "--config.file="+filepath.Join(dir, prometheusFile),
		"--storage.tsdb.path="+filepath.Join(dir, "prom-data"), "--web.listen-address="+promAddr,
		// Alerts that fire before the notifier has found Alertmanager are dropped and only sent
		// again after the resend delay (1m by default).
		"--rules.alert.resend-delay=1s")

	find := func(ds []delivery, path, alertname string) *delivery {
		for i := range ds {
			if ds[i].Path == path && len(ds[i].Payload.Alerts) > 0 && ds[i].Payload.Alerts[0].Labels["alertname"] == alertname {
				return &ds[i]
			}
		}
		return nil
	}
	var ds []delivery
	for {
		var errs []error
		ds, errs = rs.deliveries()
		if len(errs) > 0 {
			t.Fatalf("the receiver got requests it could not read: %v", errs)
		}
		msgs, merrs := mail.messages()
		if len(merrs) > 0 {
			t.Fatalf("the SMTP sink got commands it does not know: %v", merrs)
		}
		if find(ds, "/hook", "HostDown") != nil && find(ds, "/hub-alerts", "HostDown") != nil && find(ds, "/hook", "Secondary") != nil && len(msgs) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("alerts not delivered within 40s; got %+v and mail %+v\nPrometheus' alerts: %s\nAlertmanager's: %s\nprometheus:\n%s\nalertmanager:\n%s",
				ds, msgs, get("http://"+promAddr+"/api/v1/alerts"), get("http://"+amAddr+"/api/v2/alerts"), promLog, amLog)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// One more group interval: a late notification of the inhibited alert would show now.
	time.Sleep(2 * opts.GroupInterval)
	ds, _ = rs.deliveries()

	hook := find(ds, "/hook", "HostDown")
	if hook.Authorization != "Bearer hook-secret" {
		t.Errorf("webhook Authorization = %q, want the token from its credentials file", hook.Authorization)
	}
	if hook.Payload.Version != "4" || hook.Payload.Receiver != "hook" || hook.Payload.Status != "firing" {
		t.Errorf("webhook payload version %q receiver %q status %q", hook.Payload.Version, hook.Payload.Receiver, hook.Payload.Status)
	}
	a := hook.Payload.Alerts[0]
	if a.Labels["host"] != "down-host" || a.Labels["severity"] != severityCritical || a.Annotations["summary"] != "down-host is down" {
		t.Errorf("HostDown delivered as labels %v annotations %v", a.Labels, a.Annotations)
	}
	ntfy := find(ds, "/hub-alerts", "HostDown")
	if ntfy.Authorization != "Bearer tk_ntfysecret" || ntfy.Query != "priority=5&template=alertmanager" || ntfy.Payload.Receiver != "phone-critical" {
		t.Errorf("ntfy delivery: Authorization %q query %q receiver %q", ntfy.Authorization, ntfy.Query, ntfy.Payload.Receiver)
	}
	// The e-mail: through the configured smarthost, authenticated with the password from its
	// credentials file, to the receiver's address, with Alertmanager's subject and the rule's summary.
	msgs, _ := mail.messages()
	m := msgs[0]
	if m.Auth != "\x00hub-alerts@example.org\x00mail-secret" {
		t.Errorf("SMTP AUTH PLAIN = %q, want the user and the password from the credentials file", m.Auth)
	}
	if !strings.Contains(m.From, "<hub-alerts@example.org>") || !strings.Contains(m.To, "<admin@example.org>") {
		t.Errorf("envelope %q / %q, want from hub-alerts@example.org to admin@example.org", m.From, m.To)
	}
	// The body is quoted-printable HTML: soft line breaks may split the summary.
	body, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m.Data)))
	if !strings.Contains(m.Data, "Subject: [FIRING:1] HostDown (down-host") || !strings.Contains(string(body), "down-host is down") {
		t.Errorf("the mail lacks the subject or the summary:\n%s", body)
	}
	for _, m := range msgs {
		if strings.Contains(m.Data, "Secondary") {
			t.Errorf("a warning reached the mail receiver, which takes only critical:\n%s", m.Data)
		}
	}
	for _, d := range ds {
		for _, a := range d.Payload.Alerts {
			if a.Labels["alertname"] == "Secondary" && a.Labels["host"] == "down-host" {
				t.Errorf("Secondary on down-host was delivered to %s although HostDown inhibits it", d.Path)
			}
			if a.Labels["alertname"] == "Secondary" && d.Path != "/hook" {
				t.Errorf("warning Secondary reached %s, which takes only critical", d.Path)
			}
		}
	}
	// The inhibited alert is in Alertmanager all the same, marked as suppressed.
	resp, err := http.Get("http://" + amAddr + "/api/v2/alerts?filter=alertname%3D%22Secondary%22")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var inAM []struct {
		Labels map[string]string `json:"labels"`
		Status struct {
			State       string   `json:"state"`
			InhibitedBy []string `json:"inhibitedBy"`
		} `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&inAM); err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, x := range inAM {
		states[x.Labels["host"]] = x.Status.State
	}
	if states["down-host"] != "suppressed" || states["up-host"] != "active" {
		t.Errorf("Alertmanager's Secondary alerts: %v, want down-host suppressed and up-host active", states)
	}
}
