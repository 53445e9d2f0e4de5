package checks

import (
	"slices"
	"testing"

	"github.com/nixos-hub/hub/internal/sysdeps"
)

// TestHubSuitesInstallAlertmanager: the alert delivery test (internal/monitoring) runs a real
// Alertmanager and the monitoring suite runs amtool, so test:parallel must install
// prometheus-alertmanager on a fresh machine; without it the delivery test only skips.
func TestHubSuitesInstallAlertmanager(t *testing.T) {
	want := map[string][]sysdeps.Tool{
		"unit":       {sysdeps.Alertmanager, sysdeps.Amtool, sysdeps.Prometheus},
		"race":       {sysdeps.Alertmanager},
		"monitoring": {sysdeps.Promtool, sysdeps.Amtool},
	}
	for _, s := range Hub(".") {
		for _, tool := range want[s.Name] {
			if !slices.ContainsFunc(s.Tools, func(x sysdeps.Tool) bool { return x.Binary == tool.Binary }) {
				t.Errorf("suite %s does not install %s (Debian package %s)", s.Name, tool.Binary, tool.Package)
			}
		}
		delete(want, s.Name)
	}
	if len(want) > 0 {
		t.Errorf("suites not found: %v", want)
	}
	if sysdeps.Alertmanager.Package != "prometheus-alertmanager" || sysdeps.Amtool.Package != "prometheus-alertmanager" {
		t.Errorf("Alertmanager comes from Debian's prometheus-alertmanager, not %q/%q", sysdeps.Alertmanager.Package, sysdeps.Amtool.Package)
	}
}
