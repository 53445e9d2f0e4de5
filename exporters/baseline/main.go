// Command hub-baseline-exporter keeps rolling baselines of host performance and of scheduled
// micro-benchmarks and flags regressions against them.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/nixos-hub/hub/internal/baseline"
	"github.com/nixos-hub/hub/internal/exporter"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "hub-baseline-exporter:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	app := exporter.NewApp("hub-baseline-exporter", "Performance baselines and regression flags.", ":9103")
	stateDir := app.Flag("baseline.state-dir", "Directory of the persisted baselines.").Default("/var/lib/hub-baseline-exporter").String()
	window := app.Flag("baseline.window", "Span of the baseline before the recent window; whole days, so that its start is the recent window's time of day.").Default("24h").Duration()
	interval := app.Flag("baseline.sample-interval", "Interval between host samples.").Default("1m").Duration()
	recent := app.Flag("baseline.recent", "Span of the recent window judged against the baseline before it.").Default("30m").Duration()
	threshold := app.Flag("baseline.threshold", "Mann-Whitney z of the recent window in the bad direction that counts as a regression.").Default("3").Float64()
	floors := app.Flag("baseline.floor", "Override a metric's absolute floor, metric=value (repeatable).").Strings()
	minSamples := app.Flag("baseline.min-samples", "Samples a baseline needs before it can flag a regression.").Default("30").Int()
	persist := app.Flag("baseline.persist-interval", "Interval between state saves.").Default("5m").Duration()
	benchInterval := app.Flag("baseline.bench-interval", "Interval between micro-benchmark runs; 0 disables them.").Default("1h").Duration()
	benchTimeout := app.Flag("baseline.bench-timeout", "Upper bound of one micro-benchmark.").Default("30s").Duration()
	analyze := app.Flag("baseline.systemd-analyze", "systemd-analyze, which measures each boot's phases once; empty disables boot baselines.").Default("systemd-analyze").String()
	if err := app.Parse(args); err != nil {
		return err
	}
	if *interval <= 0 || *recent < *interval || *window < time.Duration(*minSamples)**interval || *persist <= 0 || *minSamples < 2 {
		return fmt.Errorf("need sample-interval > 0, recent >= sample-interval, window >= min-samples sample intervals, persist-interval > 0, min-samples >= 2")
	}
	logger := app.Logger()
	specs := slices.Concat(baseline.HostSpecs, baseline.BenchSpecs, baseline.BootSpecs)
	if err := applyFloors(specs, *floors); err != nil {
		return err
	}
	if err := os.MkdirAll(*stateDir, 0o750); err != nil {
		return fmt.Errorf("state dir: %w", err)
	}
	path := baseline.StatePath(*stateDir)
	st, err := baseline.LoadState(path)
	if err != nil {
		// A damaged file must not keep the exporter down: start afresh, the next save replaces it.
		logger.Warn("ignoring unreadable baseline state", "err", err)
		st = baseline.State{}
	}
	units := baseline.NewBootUnits()
	engine := baseline.NewEngine(baseline.Config{Window: int((*window + *recent) / *interval), Recent: int(*recent / *interval), Threshold: *threshold, MinSamples: *minSamples}, specs, st)
	exp, err := exporter.New(exporter.Options{
		Namespace: "hub_baseline", Program: "hub_baseline_exporter", Logger: logger,
		Collectors: map[string]exporter.Collector{"baseline": baseline.NewCollector(engine), "boot": units},
	})
	if err != nil {
		return err
	}
	mux, err := exp.Mux(web.LandingConfig{Description: "Rolling performance baselines, z-scores and regression flags."})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan struct{})
	go func() {
		baseline.Persister(ctx, engine, path, *persist, logger)
		close(done)
	}()
	go baseline.Sample(ctx, baseline.HostSource{SysBlock: "/sys/block", Proc: "/proc"}, engine, *interval, logger)
	if *benchInterval > 0 {
		go baseline.RunBenches(ctx, baseline.HostBenches(*stateDir), engine, *benchInterval, *benchTimeout, logger)
	}
	if *analyze != "" {
		go func() {
			bootID, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
			booted, _ := filepath.EvalSymlinks("/run/booted-system")
			err := baseline.BootWatch(ctx, engine, baseline.Boot{ID: string(bootID), System: booted}, *stateDir, func(ctx context.Context) (string, error) {
				// systemd-analyze asks systemd over D-Bus, which the sandbox allows (AF_UNIX).
				out, err := exec.CommandContext(ctx, *analyze, "time").CombinedOutput()
				return string(out), err
			}, 30*time.Second, logger)
			if err != nil {
				if ctx.Err() == nil {
					logger.Warn("boot baselines", "err", err)
				}
				return
			}
			// The boot is over: its slowest units are final.
			out, err := exec.CommandContext(ctx, *analyze, "blame", "--no-pager").Output()
			if err == nil {
				err = units.Set(string(out), 5)
			}
			if err != nil {
				logger.Warn("boot units", "err", err)
			}
		}()
	}
	err = exporter.Serve(ctx, app.Web(), mux, logger)
	stop()
	<-done
	return err
}

// applyFloors applies metric=value overrides to specs.
func applyFloors(specs []baseline.Spec, overrides []string) error {
	for _, o := range overrides {
		name, val, ok := strings.Cut(o, "=")
		f, err := strconv.ParseFloat(val, 64)
		if !ok || err != nil || f < 0 {
			return fmt.Errorf("--baseline.floor %q: want metric=non-negative number", o)
		}
		i := slices.IndexFunc(specs, func(s baseline.Spec) bool { return s.Name == name })
		if i < 0 {
			return fmt.Errorf("--baseline.floor %q: unknown metric", o)
		}
		specs[i].Floor = f
	}
	return nil
}
