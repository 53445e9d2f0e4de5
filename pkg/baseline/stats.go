// Package baseline keeps rolling baselines of host performance metrics and of scheduled
// micro-benchmarks, persists them across restarts, and flags regressions by z-score with an
// absolute floor.
package baseline

import "math"

// maxZ clamps z-scores: with a zero standard deviation any change is infinitely many deviations
// away, and an infinite gauge breaks dashboards and recording rules.
const maxZ = 1000

// Spec describes one baselined metric.
type Spec struct {
	Name string // with its unit suffix, e.g. "cpu_utilisation_ratio"
	// HigherIsWorse says which direction is a regression: utilisation and latency up, or
	// throughput down.
	HigherIsWorse bool
	// Floor is the smallest change, in the metric's unit, that may count as a regression.
	Floor float64
	// MinSamples, when set, replaces the engine's history requirement for this metric: boot
	// times get one sample per boot, not one a minute.
	MinSamples int
}

// Verdict compares a value with the baseline built from the values before it.
type Verdict struct {
	Value, Mean, StdDev, Z float64
	N                      int
	Regression             bool
}

// MeanStdDev returns the mean and the sample standard deviation (n-1) of vals, computed with
// Welford's method for stability on long windows of similar values.
func MeanStdDev(vals []float64) (mean, sd float64) {
	var m2 float64
	for i, v := range vals {
		d := v - mean
		mean += d / float64(i+1)
		m2 += d * (v - mean)
	}
	if len(vals) < 2 {
		return mean, 0
	}
	return mean, math.Sqrt(m2 / float64(len(vals)-1))
}

// Judge compares x with history. A regression needs at least minSamples of history, a z-score of
// at least threshold in the bad direction, and a change of at least spec.Floor in that direction.
func Judge(spec Spec, history []float64, x, threshold float64, minSamples int) Verdict {
	mean, sd := MeanStdDev(history)
	v := Verdict{Value: x, Mean: mean, StdDev: sd, N: len(history)}
	if len(history) == 0 {
		return v
	}
	delta := x - mean
	switch {
	case sd > 0:
		v.Z = math.Max(-maxZ, math.Min(maxZ, delta/sd))
	case delta != 0:
		v.Z = math.Copysign(maxZ, delta)
	}
	bad, badZ := delta, v.Z
	if !spec.HigherIsWorse {
		bad, badZ = -delta, -v.Z
	}
	v.Regression = len(history) >= minSamples && badZ >= threshold && bad >= spec.Floor
	return v
}
