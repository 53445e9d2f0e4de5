package baseline

import (
	"context"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nixos-hub/hub/internal/systemdanalyze"
)

// BootUnits holds the slowest units of the current boot (systemd-analyze blame), exported as
// hub_baseline_boot_unit_seconds{unit}. They are not baselines (units come and go between
// generations); they are what a boot_*_seconds regression is read against. A handful only,
// so the unit label stays bounded.
type BootUnits struct {
	mu    sync.Mutex
	units []systemdanalyze.Unit
	desc  *prometheus.Desc
}

// NewBootUnits makes an empty set.
func NewBootUnits() *BootUnits {
	return &BootUnits{desc: bdesc("boot_unit_seconds", "Time the slowest units of the current boot took to start (systemd-analyze blame).", "unit")}
}

// Set replaces the units with the first n of blame's output.
func (b *BootUnits) Set(blame string, n int) error {
	u, err := systemdanalyze.ParseBlame(blame)
	if err != nil {
		return err
	}
	if len(u) > n {
		u = u[:n]
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.units = u
	return nil
}

// Update sends one gauge per unit (internal/exporter's Collector).
func (b *BootUnits) Update(_ context.Context, ch chan<- prometheus.Metric) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, u := range b.units {
		ch <- prometheus.MustNewConstMetric(b.desc, prometheus.GaugeValue, u.Took.Seconds(), u.Name)
	}
	return nil
}
