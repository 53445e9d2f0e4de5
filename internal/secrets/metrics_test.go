package secrets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func TestRotationMetrics(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, RotationFile), []byte(`["db.age"]
generator = "alphanumeric"
period = "30d"
rotated = 2026-01-01T00:00:00Z

["wg.age"]
generator = "wireguard"
period = "1w"
`), 0o644); err != nil {
		t.Fatal(err)
	}
	rot, err := ReadRotation(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := RotationMetrics(rot.Schedule(time.Now()))
	golden(t, "rotation.prom", got)
	// It is valid exposition text, as node_exporter's textfile collector parses it.
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	due := map[string]float64{}
	for _, m := range mfs["hub_secret_rotation_due_timestamp_seconds"].GetMetric() {
		due[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
	}
	if want := float64(time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC).Unix()); due["db.age"] != want || due["wg.age"] != 0 {
		t.Errorf("due = %v, want db.age at %v (rotated + 30d) and the never-rotated wg.age at 0", due, want)
	}
}

func TestReadRotationErrors(t *testing.T) {
	for _, tc := range []struct{ toml, want string }{
		{"[\"a.age\"]\ngenerator = \"hex\"\nperiod = \"soon\"\n", `rotation.toml: ["a.age"]: period: "soon": want e.g. 90d, 2w or 720h`},
		{"[\"a.age\"]\ngenerator = \"hex\"\nperiod = \"1d\"\ncolour = 1\n", `rotation.toml:4: "a.age".colour: unknown key`},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, RotationFile), []byte(tc.toml), 0o644)
		if _, err := ReadRotation(dir); err == nil || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("err = %v, want ...%s", err, tc.want)
		}
	}
	if rot, err := ReadRotation(t.TempDir()); err != nil || len(rot.Secrets) != 0 {
		t.Errorf("missing file: %v %v, want an empty rotation", rot, err)
	}
}
