package secrets

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/tomlfile"
)

// ReadRotation reads dir/rotation.toml for its schedule alone: periods are checked, names and
// generators are not (LoadRotation adds those, with secrets.nix).
// The monitoring configuration is rendered from it without either; a missing file is empty.
func ReadRotation(dir string) (*Rotation, error) {
	rot := &Rotation{Path: filepath.Join(dir, RotationFile), Secrets: map[string]*RotationSpec{}}
	data, err := os.ReadFile(rot.Path)
	if errors.Is(err, os.ErrNotExist) {
		return rot, nil
	}
	if err != nil {
		return nil, err
	}
	if errs := tomlfile.Decode(rot.Path, data, &rot.Secrets); len(errs) > 0 {
		return nil, errors.Join(errs...) // each at its file:line and key
	}
	for name, s := range rot.Secrets {
		if _, err := parsePeriod(s.Period); err != nil {
			return nil, fmt.Errorf("%s: [%q]: period: %w", rot.Path, name, err)
		}
	}
	return rot, nil
}

// RotationMetrics renders the schedule as node_exporter textfile content: when each secret falls
// due for rotation, 0 for one never rotated (due at once). The SecretRotationDue alert compares it
// with the time, so the monitoring server needs a new file only when rotation.toml changes.
func RotationMetrics(items []DueItem) string {
	var b strings.Builder
	b.WriteString("# HELP hub_secret_rotation_due_timestamp_seconds Unix time the secret falls due for rotation (rotation.toml: rotated + period; 0: never rotated).\n")
	b.WriteString("# TYPE hub_secret_rotation_due_timestamp_seconds gauge\n")
	for _, it := range items {
		due := int64(0)
		if !it.Due.IsZero() {
			due = it.Due.Unix()
		}
		fmt.Fprintf(&b, "hub_secret_rotation_due_timestamp_seconds{secret=%q} %d\n", it.Name, due)
	}
	b.WriteString("# HELP hub_secret_rotation_period_seconds Rotation period of the secret (rotation.toml).\n")
	b.WriteString("# TYPE hub_secret_rotation_period_seconds gauge\n")
	for _, it := range items {
		p, _ := parsePeriod(it.Spec.Period) // validated when read
		fmt.Fprintf(&b, "hub_secret_rotation_period_seconds{secret=%q} %d\n", it.Name, int64(p/time.Second))
	}
	return b.String()
}
