package baseline

import (
	"context"
	"log/slog"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Config holds the baseline parameters shared by all metrics.
type Config struct {
	Window     int     // samples kept per metric: the baseline and the recent window after it
	Recent     int     // samples of the recent window, for specs that do not set their own
	Threshold  float64 // Mann-Whitney z that counts as a regression
	MinSamples int     // baseline samples needed before anything is flagged
}

// Engine holds one rolling window and the latest verdict per metric. It is safe for concurrent
// use: samplers write, the collector reads.
type Engine struct {
	cfg   Config
	specs map[string]Spec

	mu      sync.Mutex
	windows map[string][]float64
	// sorted is each window's baseline part (the recent window excluded) in ascending order,
	// kept up to date as samples arrive and leave.
	sorted   map[string][]float64
	verdicts map[string]verdict
	lastSeen time.Time
}

// NewEngine creates an engine for specs, seeded from a persisted state (windows of unknown
// metrics are dropped, over-long ones trimmed to the newest values).
func NewEngine(cfg Config, specs []Spec, st State) *Engine {
	e := &Engine{cfg: cfg, specs: map[string]Spec{}, windows: map[string][]float64{}, sorted: map[string][]float64{},
		verdicts: map[string]verdict{}}
	for _, s := range specs {
		e.specs[s.Name] = s
		w := st.Windows[s.Name]
		if len(w) > cfg.Window {
			w = w[len(w)-cfg.Window:]
		}
		e.windows[s.Name] = slices.Clone(w)
		e.sorted[s.Name] = slices.Sorted(slices.Values(w[:max(0, len(w)-e.recent(s))]))
	}
	return e
}

func (e *Engine) recent(s Spec) int {
	if s.Recent > 0 {
		return s.Recent
	}
	return max(1, e.cfg.Recent)
}

// Observe adds x to the metric's window and judges the recent samples against the rest.
// Unknown metrics are ignored.
func (e *Engine) Observe(name string, x float64, at time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	spec, ok := e.specs[name]
	if !ok || math.IsNaN(x) {
		return
	}
	recent := e.recent(spec)
	minSamples := e.cfg.MinSamples
	if spec.MinSamples > 0 {
		minSamples = spec.MinSamples // boot times: one sample per boot, not one a minute
	}
	w, sorted := e.windows[name], e.sorted[name]
	if len(w) >= recent {
		// x pushes the oldest recent sample into the baseline.
		sorted = insertSorted(sorted, w[len(w)-recent])
	}
	w = append(w, x)
	if len(w) > e.cfg.Window {
		if len(w)-1 >= recent { // w[0] is in the baseline, or is the sample that just entered it
			sorted = removeSorted(sorted, w[0])
		}
		w = slices.Delete(w, 0, 1)
	}
	e.windows[name], e.sorted[name] = w, sorted
	var sameTime []float64
	if spec.Recent == 0 && len(w) == e.cfg.Window && e.cfg.Window >= 3*recent {
		// A host metric's full window is the recent window plus a baseline of --baseline.window
		// (a day by default) before it: its oldest recent-window of samples is the same stretch
		// of the day as the recent window, a day earlier.
		sameTime = w[:recent]
	}
	v := judge(spec, w, min(recent, len(w)), sorted, sameTime, e.cfg.Threshold, minSamples)
	if !v.Regression && e.verdicts[name].Regression && v.N >= minSamples {
		// Hysteresis: a regression stays one until it is clearly over, at two thirds of the
		// threshold and half the floor, so a shift that hovers at the limits does not flap
		// (each flap is another alert once it has held for the rule's 30 minutes).
		badZ := v.Z
		if !spec.HigherIsWorse {
			badZ = -badZ
		}
		v.Regression = badZ >= e.cfg.Threshold*2/3 && v.Shift >= spec.Floor/2
	}
	e.verdicts[name] = v
	if at.After(e.lastSeen) {
		e.lastSeen = at
	}
}

// snapshot copies the windows for persistence.
func (e *Engine) snapshot() State {
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
	median, recent, shift                              *prometheus.Desc
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
		mean:       bdesc("mean", "Mean of the metric's baseline, the samples before the recent window.", "metric"),
		stddev:     bdesc("stddev", "Sample standard deviation of the baseline.", "metric"),
		samples:    bdesc("samples", "Number of samples in the baseline (the recent window excluded).", "metric"),
		median:     bdesc("median", "Median of the baseline.", "metric"),
		recent:     bdesc("recent_median", "Median of the recent window.", "metric"),
		shift:      bdesc("shift", "How much worse three quarters of the recent window are than the baseline's median, or the same hour a day earlier if that was worse, in the metric's unit (positive: worse); a regression needs at least the floor.", "metric"),
		z:          bdesc("zscore", "Mann-Whitney z of the recent window against the baseline, positive when the recent samples rank higher (clamped to ±1000).", "metric"),
		regression: bdesc("regression", "1 when the recent window is a regression: Mann-Whitney z beyond the threshold in the bad direction and a shift of at least the floor.", "metric"),
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
		g(c.median, v.BaselineMedian, name)
		g(c.recent, v.RecentMedian, name)
		g(c.shift, v.Shift, name)
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
			if err := saveState(path, e.snapshot()); err != nil {
				logger.Error("final state save", "err", err)
			}
			return
		case <-t.C:
			if err := saveState(path, e.snapshot()); err != nil {
				logger.Warn("state save", "err", err)
			}
		}
	}
}

func insertSorted(s []float64, x float64) []float64 {
	i, _ := slices.BinarySearch(s, x)
	return slices.Insert(s, i, x)
}

func removeSorted(s []float64, x float64) []float64 {
	if i, ok := slices.BinarySearch(s, x); ok {
		return slices.Delete(s, i, i+1)
	}
	return s
}
