package baseline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/durablefile"
	"github.com/nixos-hub/hub/internal/systemdanalyze"
)

// BootSpecs are one sample per boot: the phases systemd-analyze time reports and their total.
// The last five boots slower than the ten or more before them (Mann-Whitney z >= the threshold,
// three quarters of them slower by the floor) are a regression: a deploy that slowed the boot
// shows once the host has booted it five times. Fewer recent boots cannot reach z 3.
var BootSpecs = []Spec{
	{Name: "boot_total_seconds", HigherIsWorse: true, Floor: 2, Recent: 5, MinSamples: 10},
	{Name: "boot_firmware_seconds", HigherIsWorse: true, Floor: 1, Recent: 5, MinSamples: 10},
	{Name: "boot_loader_seconds", HigherIsWorse: true, Floor: 1, Recent: 5, MinSamples: 10},
	{Name: "boot_kernel_seconds", HigherIsWorse: true, Floor: 1, Recent: 5, MinSamples: 10},
	{Name: "boot_initrd_seconds", HigherIsWorse: true, Floor: 1, Recent: 5, MinSamples: 10},
	{Name: "boot_userspace_seconds", HigherIsWorse: true, Floor: 1, Recent: 5, MinSamples: 10},
}

// bootSamples turns `systemd-analyze time` output into BootSpecs samples (phases the boot did
// not have, such as firmware in a VM, are left out).
func bootSamples(analyzeTime string) (map[string]float64, error) {
	b, err := systemdanalyze.ParseTime(analyzeTime)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{"boot_total_seconds": b.Total.Seconds()}
	for phase, d := range b.Phases {
		out["boot_"+phase+"_seconds"] = d.Seconds()
	}
	return out, nil
}

// Boot identifies the boot BootWatch observes.
type Boot struct {
	ID     string // the kernel's /proc/sys/kernel/random/boot_id
	System string // the system it booted, /run/booted-system's target
}

// BootRecord is one line of BootsLog: a boot, the system it booted and the seconds of each
// systemd-analyze phase and "total". perf:compare groups them by generation.
type BootRecord struct {
	ID      string             `json:"boot_id"`
	System  string             `json:"booted_system"`
	At      time.Time          `json:"at"`
	Seconds map[string]float64 `json:"seconds"`
}

// BootsLog is the file of BootRecords in the state directory (perf:compare reads it).
func BootsLog(stateDir string) string { return filepath.Join(stateDir, "boots.jsonl") }

// BootWatch observes the current boot once. A marker file in stateDir holds the id of the boot
// last observed, so restarts of the exporter (every deploy restarts it) do not count one boot
// twice; each observed boot is also appended to BootsLog with the system it booted. analyze
// returns `systemd-analyze time`; it is retried every retry while the boot is not finished,
// until ctx ends.
func BootWatch(ctx context.Context, e *Engine, boot Boot, stateDir string, analyze func(context.Context) (string, error), retry time.Duration, logger *slog.Logger) error {
	bootID, marker := boot.ID, filepath.Join(stateDir, "boot-observed")
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
			samples, perr := bootSamples(out)
			if perr == nil {
				now := time.Now()
				rec := BootRecord{ID: bootID, System: boot.System, At: now.UTC(), Seconds: map[string]float64{}}
				for name, v := range samples {
					e.Observe(name, v, now)
					rec.Seconds[strings.TrimSuffix(strings.TrimPrefix(name, "boot_"), "_seconds")] = v
				}
				if err := appendRecord(BootsLog(stateDir), rec); err != nil {
					return fmt.Errorf("boot baselines: %w", err)
				}
				// Read back at every start: one left empty by a crash would count the boot twice.
				if err := durablefile.Write(marker, []byte(bootID+"\n"), 0o600); err != nil {
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

func appendRecord(path string, rec BootRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
