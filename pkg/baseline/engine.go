package baseline

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Config holds the baseline parameters shared by all metrics.
type Config struct {
	Window     int     // samples kept per metric
	Threshold  float64 // z-score that counts as a regression
	MinSamples int     // history needed before anything is flagged
}

// Engine holds one rolling window and the latest verdict per metric. It is safe for concurrent
// use: samplers write, the collector reads.
type Engine struct {
	cfg   Config
	specs map[string]Spec

	mu       sync.Mutex
	windows  map[string][]float64
	verdicts map[string]Verdict
	lastSeen time.Time
}

// NewEngine creates an engine for specs, seeded from a persisted state (windows of unknown
// metrics are dropped, over-long ones trimmed to the newest values).
func NewEngine(cfg Config, specs []Spec, st State) *Engine {
	e := &Engine{cfg: cfg, specs: map[string]Spec{}, windows: map[string][]float64{}, verdicts: map[string]Verdict{}}
	for _, s := range specs {
		e.specs[s.Name] = s
		w := st.Windows[s.Name]
		if len(w) > cfg.Window {
			w = w[len(w)-cfg.Window:]
		}
		e.windows[s.Name] = slices.Clone(w)
	}
	return e
}

// Observe judges x against the metric's window and then adds it. Unknown metrics are ignored.
func (e *Engine) Observe(name string, x float64, at time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	spec, ok := e.specs[name]
	if !ok {
		return
	}
	w := e.windows[name]
	minSamples := e.cfg.MinSamples
	if spec.MinSamples > 0 {
		minSamples = spec.MinSamples
	}
	e.verdicts[name] = Judge(spec, w, x, e.cfg.Threshold, minSamples)
	w = append(w, x)
	if len(w) > e.cfg.Window {
		w = slices.Delete(w, 0, len(w)-e.cfg.Window)
	}
	e.windows[name] = w
	if at.After(e.lastSeen) {
		e.lastSeen = at
	}
}

// Snapshot copies the windows for persistence.
func (e *Engine) Snapshot() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := State{Windows: make(map[string][]float64, len(e.windows))}
	for k, w := range e.windows {
		st.Windows[k] = slices.Clone(w)
	}
	return st
}

// Collector exports an engine's baselines and verdicts.
type Collector struct {
	engine                                             *Engine
	value, mean, stddev, samples, z, regression, floor *prometheus.Desc
	threshold, last                                    *prometheus.Desc
}

func bdesc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("hub_baseline_"+name, help, labels, nil)
}

// NewCollector exports e. Metrics carry a metric label naming the baselined quantity with its
// unit, e.g. metric="cpu_utilisation_ratio".
func NewCollector(e *Engine) *Collector {
	return &Collector{
		engine:     e,
		value:      bdesc("value", "Latest sample of the metric, in the unit its name ends with.", "metric"),
		mean:       bdesc("mean", "Mean of the metric's baseline window, excluding the latest sample.", "metric"),
		stddev:     bdesc("stddev", "Sample standard deviation of the baseline window.", "metric"),
		samples:    bdesc("samples", "Number of samples in the baseline window.", "metric"),
		z:          bdesc("zscore", "Standard deviations between the latest sample and the baseline mean (clamped to ±1000).", "metric"),
		regression: bdesc("regression", "1 when the latest sample is a regression: z-score beyond the threshold in the bad direction and a change of at least the floor.", "metric"),
		floor:      bdesc("floor", "Smallest change in the metric's unit that may count as a regression.", "metric"),
		threshold:  bdesc("threshold", "z-score threshold for a regression."),
		last:       bdesc("last_sample_timestamp_seconds", "When the last sample was taken."),
	}
}

// Update sends the latest verdicts; it does no sampling.
func (c *Collector) Update(_ context.Context, ch chan<- prometheus.Metric) error {
	e := c.engine
	e.mu.Lock()
	defer e.mu.Unlock()
	g := func(d *prometheus.Desc, v float64, l ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, l...)
	}
	g(c.threshold, e.cfg.Threshold)
	if !e.lastSeen.IsZero() {
		g(c.last, float64(e.lastSeen.UnixNano())/1e9)
	}
	for name, spec := range e.specs {
		g(c.floor, spec.Floor, name)
		v, ok := e.verdicts[name]
		if !ok {
			continue
		}
		g(c.value, v.Value, name)
		g(c.mean, v.Mean, name)
		g(c.stddev, v.StdDev, name)
		g(c.samples, float64(v.N), name)
		g(c.z, v.Z, name)
		reg := 0.0
		if v.Regression {
			reg = 1
		}
		g(c.regression, reg, name)
	}
	return nil
}

// Persister saves the engine's state periodically and once more when ctx ends.
func Persister(ctx context.Context, e *Engine, path string, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := SaveState(path, e.Snapshot()); err != nil {
				logger.Error("final state save", "err", err)
			}
			return
		case <-t.C:
			if err := SaveState(path, e.Snapshot()); err != nil {
				logger.Warn("state save", "err", err)
			}
		}
	}
}
