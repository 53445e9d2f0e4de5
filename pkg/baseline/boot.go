package baseline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/nixos-hub/hub/pkg/perf"
)

// BootSpecs are one sample per boot: the phases systemd-analyze time reports and their total.
// A boot slower by at least the floor and 3 standard deviations of the previous boots (five
// at least) is a regression, which is how a deploy that slowed the boot shows up once the
// host has rebooted into it.
var BootSpecs = []Spec{
	{Name: "boot_total_seconds", HigherIsWorse: true, Floor: 2, MinSamples: 5},
	{Name: "boot_firmware_seconds", HigherIsWorse: true, Floor: 1, MinSamples: 5},
	{Name: "boot_loader_seconds", HigherIsWorse: true, Floor: 1, MinSamples: 5},
	{Name: "boot_kernel_seconds", HigherIsWorse: true, Floor: 1, MinSamples: 5},
	{Name: "boot_initrd_seconds", HigherIsWorse: true, Floor: 1, MinSamples: 5},
	{Name: "boot_userspace_seconds", HigherIsWorse: true, Floor: 1, MinSamples: 5},
}

// BootSamples turns `systemd-analyze time` output into BootSpecs samples (phases the boot did
// not have, such as firmware in a VM, are left out).
func BootSamples(analyzeTime string) (map[string]float64, error) {
	b, err := perf.ParseAnalyzeTime(analyzeTime)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{"boot_total_seconds": b.Total.Seconds()}
	for phase, d := range b.Phases {
		out["boot_"+phase+"_seconds"] = d.Seconds()
	}
	return out, nil
}

// BootWatch observes the current boot once. bootID identifies it (the kernel's
// /proc/sys/kernel/random/boot_id); marker is a file in the state directory holding the id of
// the boot last observed, so restarts of the exporter (every deploy restarts it) do not count
// one boot twice. analyze returns `systemd-analyze time`; it is retried every retry while the
// boot is not finished, until ctx ends.
func BootWatch(ctx context.Context, e *Engine, bootID, marker string, analyze func(context.Context) (string, error), retry time.Duration, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	bootID = strings.TrimSpace(bootID)
	if bootID == "" {
		return errors.New("boot baselines: no boot id")
	}
	if b, err := os.ReadFile(marker); err == nil && strings.TrimSpace(string(b)) == bootID {
		return nil // this boot is in the window already
	}
	for {
		out, err := analyze(ctx)
		if err == nil {
			samples, perr := BootSamples(out)
			if perr == nil {
				now := time.Now()
				for name, v := range samples {
					e.Observe(name, v, now)
				}
				if err := os.WriteFile(marker, []byte(bootID+"\n"), 0o600); err != nil {
					return fmt.Errorf("boot baselines: %w", err)
				}
				return nil
			}
			err = perr
		}
		logger.Debug("boot not measurable yet", "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(retry):
		}
	}
}
