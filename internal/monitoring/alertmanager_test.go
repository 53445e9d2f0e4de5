package monitoring

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/inventory"
)

// testAlerts is an inventory with one receiver of each kind, loaded through internal/inventory so the
// golden files show what a real fleet.toml renders to.
func testAlerts(t *testing.T, fleetTOML string) inventory.Alerts {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "fleet.toml"), fleetTOML)
	writeFile(t, filepath.Join(dir, "a", "host.toml"), "class = \"server\"\nsystem = \"x86_64-linux\"\nhardware = \"intel-integrated\"\n")
	f, err := inventory.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return f.Alerts
}

const allKindsTOML = `
[alerts.smtp]
smarthost = "smtp.example.org:587"
from = "hub@example.org"
username = "hub@example.org"
password_secret = "alertmanager-smtp-password"

[[alerts.receiver]]
name = "admin-mail"
email = "admin@example.org"
severities = ["critical", "warning"]

[[alerts.receiver]]
name = "phone"
ntfy = "https://ntfy.example.org/hub-alerts"
token_secret = "alertmanager-ntfy-token"
severities = ["critical", "info"]

[[alerts.receiver]]
name = "chat"
webhook = "https://hooks.example.org/alertmanager"
token_secret = "chat-token"
`

var alertmanagerCases = []struct{ name, toml string }{
	{"no-receivers", ""},
	{"all-kinds", allKindsTOML},
	{"webhook-without-smtp", "[[alerts.receiver]]\nname = \"hook\"\nwebhook = \"http://127.0.0.1:9/hook\"\nseverities = [\"warning\"]\n"},
}

// TestAlertmanagerGolden renders alertmanager.yml for each inventory shape.
func TestAlertmanagerGolden(t *testing.T) {
	for _, tc := range alertmanagerCases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := alertmanager(testAlerts(t, tc.toml), DefaultAlertmanagerOptions())
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.marshalYAMLFile()
			if err != nil {
				t.Fatal(err)
			}
			goldenfile.Check(t, filepath.Join("testdata", "alertmanager", tc.name+".yml"), b)
		})
	}
}

func amtoolPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("amtool")
	if err != nil {
		t.Skip("amtool not installed (Debian package prometheus-alertmanager)")
	}
	return p
}

// amtool runs the real amtool and returns its standard output (its warnings go to stderr).
func amtool(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, amtoolPath(t), args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("amtool %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

// TestAmtoolCheckConfig has the real amtool parse and validate every rendered configuration: the
// committed one and the golden cases.
func TestAmtoolCheckConfig(t *testing.T) {
	amtoolPath(t)
	files := []string{filepath.Join(repoMonitoring, alertmanagerFile)}
	for _, tc := range alertmanagerCases {
		files = append(files, filepath.Join("testdata", "alertmanager", tc.name+".yml"))
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			out := amtool(t, "check-config", f)
			if !strings.Contains(out, "SUCCESS") {
				t.Errorf("amtool check-config %s did not report SUCCESS:\n%s", f, out)
			}
		})
	}
}

// TestAmtoolCheckConfigRejectsBroken proves the check is not vacuous: a route to a receiver that
// does not exist fails it.
func TestAmtoolCheckConfigRejectsBroken(t *testing.T) {
	p := filepath.Join(t.TempDir(), "alertmanager.yml")
	writeFile(t, p, "route:\n  receiver: nobody\nreceivers:\n- name: hold\n")
	out, err := exec.Command(amtoolPath(t), "check-config", p).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "nobody") {
		t.Errorf("amtool accepted a route to an undefined receiver: %v\n%s", err, out)
	}
}

// TestAlertmanagerRoutes asks the real amtool where an alert of each severity goes: every
// receiver that takes the severity, and the hold receiver when none does.
func TestAlertmanagerRoutes(t *testing.T) {
	amtoolPath(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		toml     string
		severity string
		want     string
	}{
		{allKindsTOML, "critical", "admin-mail,phone-critical,chat"},
		{allKindsTOML, "warning", "admin-mail,chat"},
		{allKindsTOML, "info", "phone-info,chat"},
		{allKindsTOML, "", "hold"},
		{"", "critical", "hold"},
		{"[[alerts.receiver]]\nname = \"hook\"\nwebhook = \"http://127.0.0.1:9/hook\"\nseverities = [\"warning\"]\n", "critical", "hold"},
	} {
		c, err := alertmanager(testAlerts(t, tc.toml), DefaultAlertmanagerOptions())
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.marshalYAMLFile()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "alertmanager.yml")
		writeFile(t, p, string(b))
		labels := []string{"alertname=HostDown", "host=p620"}
		if tc.severity != "" {
			labels = append(labels, "severity="+tc.severity)
		}
		out := amtool(t, append([]string{"config", "routes", "test", "--config.file=" + p}, labels...)...)
		if got := strings.TrimSpace(strings.Split(out, "\n")[0]); got != tc.want {
			t.Errorf("severity %q goes to %q, want %q", tc.severity, got, tc.want)
		}
	}
}

// TestInhibitionsNameRealAlerts keeps the inhibit rules in step with the rules: every alert name
// they match must be an alert of RuleGroups, and every label they compare must be one that
// alert's series carry (host on all of them; job and mountpoint where the expression has them).
func TestInhibitionsNameRealAlerts(t *testing.T) {
	names := alertNames(ruleGroups())
	re := regexp.MustCompile(`^alertname!?="([A-Za-z]+)"$`)
	for _, in := range inhibitions() {
		if in.Why == "" || len(in.Equal) == 0 || !slices.Contains(in.Equal, labelHost) {
			t.Errorf("inhibition %v: want a reason and host among the equal labels", in)
		}
		for _, m := range append(slices.Clone(in.Source), in.Target...) {
			sub := re.FindStringSubmatch(m)
			if sub == nil {
				t.Errorf("inhibition matcher %s: want alertname=\"...\" or alertname!=\"...\"", m)
				continue
			}
			if !slices.Contains(names, sub[1]) {
				t.Errorf("inhibition matcher %s names no alert of RuleGroups", m)
			}
		}
	}
}

func TestAlertmanagerSecretsFile(t *testing.T) {
	for _, tc := range []struct{ toml, want string }{
		{"", "[]\n"},
		{allKindsTOML, "[\n  \"alertmanager-ntfy-token\",\n  \"alertmanager-smtp-password\",\n  \"chat-token\"\n]\n"},
	} {
		b, err := marshalAlertmanagerSecrets(testAlerts(t, tc.toml))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("secrets file = %q, want %q", b, tc.want)
		}
	}
	// The committed file names what the committed configuration reads, and nothing more.
	b, err := os.ReadFile(filepath.Join(repoMonitoring, alertmanagerFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range fleet(t).Alerts.Secrets() {
		if !strings.Contains(string(b), defaultCredentialsDir+"/"+s+"\n") {
			t.Errorf("%s does not read secret %s from %s", alertmanagerFile, s, defaultCredentialsDir)
		}
	}
}
