package baseline

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/exporter"
)

// The slowest units of a recorded blame, through internal/exporter's handler as Prometheus scrapes
// them: the first n, in seconds.
func TestBootUnitsExported(t *testing.T) {
	u := NewBootUnits()
	if err := u.Set(analyzeFile(t, "blame-container.txt"), 3); err != nil {
		t.Fatal(err)
	}
	exp, err := exporter.New(exporter.Options{Namespace: "hub_baseline", Program: "hub_baseline_exporter",
		Collectors: map[string]exporter.Collector{"boot": u}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	exp.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Result().Body)
	for _, want := range []string{
		`hub_baseline_boot_unit_seconds{unit="systemd-logind.service"} 0.104`,
		`hub_baseline_boot_unit_seconds{unit="systemd-sysusers.service"} 0.101`,
		`hub_baseline_boot_unit_seconds{unit="sshd.service"} 0.068`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s:\n%s", want, body)
		}
	}
	if strings.Contains(string(body), "systemd-tmpfiles-setup.service") {
		t.Error("more than the 3 slowest units exported")
	}
}
