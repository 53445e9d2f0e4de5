// Package baseline keeps rolling baselines of host performance metrics and of scheduled
// micro-benchmarks, persists them across restarts, and flags regressions: a recent window of
// samples that ranks above (or below) the baseline before it, by a Mann-Whitney z-score, with an
// absolute floor on the shift of the median.
//
// Entry points: [NewEngine] holds the windows (seeded from [LoadState], saved by [Persister] at
// [StatePath]), fed by [Sample] from a [Source] such as [HostSource] and by [RunBenches] with
// [HostBenches]; [NewCollector] exports its baselines and verdicts; [BootWatch] and [NewBootUnits]
// record each boot in [BootsLog].
package baseline

import (
	"math"
	"slices"
)

// maxZ clamps z-scores: with a zero standard deviation any change is infinitely many deviations
// away, and an infinite gauge breaks dashboards and recording rules.
const maxZ = 1000

// Spec describes one baselined metric.
type Spec struct {
	Name string // with its unit suffix, e.g. "cpu_utilisation_ratio"
	// HigherIsWorse says which direction is a regression: utilisation and latency up, or
	// throughput down.
	HigherIsWorse bool
	// Floor is the smallest shift (Verdict.Shift), in the metric's unit, that may count as a
	// regression.
	Floor float64
	// Recent is the recent window in samples; 0 means the engine's Config.Recent.
	Recent int
	// MinSamples, when set, replaces the engine's history requirement for this metric: boot
	// times get one sample per boot, not one a minute.
	MinSamples int
}

// verdict compares a metric's recent samples with the baseline before them.
type verdict struct {
	Value                        float64 // the latest sample
	Mean, StdDev, BaselineMedian float64 // of the baseline, the recent window excluded
	RecentMedian                 float64
	// Shift is how much worse three quarters of the recent window are than the baseline's
	// median (or, when worse, three quarters of the same stretch of the day a day earlier), in
	// the metric's unit (positive: worse).
	Shift      float64
	Z          float64 // Mann-Whitney z, recent against baseline; > 0: recent higher
	N          int     // baseline samples
	Regression bool
}

// meanStdDev returns the mean and the sample standard deviation (n-1) of vals, computed with
// Welford's method for stability on long windows of similar values.
func meanStdDev(vals []float64) (mean, sd float64) {
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

// judgeSamples compares the recent samples of a metric with its baseline: window holds the metric's
// samples oldest first, the last recent of them are the recent window, and the baseline is
// everything before it, so a change is never judged against a baseline that already absorbed
// it. A regression needs at least minSamples in the baseline, a Mann-Whitney z of at least
// threshold in the bad direction (the recent samples rank above, or for lower-is-worse below,
// the baseline's), and a shift of at least spec.Floor: three quarters of the recent window must
// be worse than the baseline's median by the floor (the recent window's first quartile against
// that median; the third for lower-is-worse).
//
// Why ranks and quartiles rather than the mean and standard deviation of single samples: host
// metrics are bursty and skewed, so one sample against mean ± 3 sd either misses a real shift
// hidden in the noise or fires on a burst. A rank test over a window sees a sustained shift of
// the whole distribution however noisy; bursts that leave the quiet stretches between them
// quiet do not move the recent first quartile, so they do not count, however high they go.
func judgeSamples(spec Spec, window []float64, recent int, threshold float64, minSamples int) verdict {
	if len(window) == 0 {
		return verdict{}
	}
	recent = max(1, min(recent, len(window)))
	base := window[:len(window)-recent]
	return judge(spec, window, recent, slices.Sorted(slices.Values(base)), nil, threshold, minSamples)
}

// judge is Judge with the baseline already sorted, which the engine keeps up to date sample by
// sample instead of sorting a day of samples every minute. sameTime, when not empty, are the
// samples of the same stretch of the day as the recent window, a day earlier: the recent window
// must be worse than them by the floor too (quartile against quartile), so what the host does
// every day at this hour (a working day, a nightly job) is its normal rather than a regression
// each day.
func judge(spec Spec, window []float64, recent int, baseSorted, sameTime []float64, threshold float64, minSamples int) verdict {
	v := verdict{Value: window[len(window)-1], N: len(baseSorted)}
	rec := slices.Sorted(slices.Values(window[len(window)-recent:]))
	v.Mean, v.StdDev = meanStdDev(window[:len(window)-recent])
	v.RecentMedian = quantile(rec, 0.5)
	if len(baseSorted) == 0 {
		return v
	}
	v.BaselineMedian = quantile(baseSorted, 0.5)
	v.Z = math.Max(-maxZ, math.Min(maxZ, mannWhitneySorted(rec, baseSorted)))
	badZ := v.Z
	ref := v.BaselineMedian
	if len(sameTime) > 0 {
		// The same quartile as the recent window's: a burst in yesterday's half hour must not
		// raise the bar, three quarters of it at a level must.
		q := 0.25
		if !spec.HigherIsWorse {
			q = 0.75
		}
		day := quantile(slices.Sorted(slices.Values(sameTime)), q)
		if spec.HigherIsWorse == (day > ref) {
			ref = day // yesterday at this time was worse than the baseline's median: the bar
		}
	}
	if spec.HigherIsWorse {
		v.Shift = quantile(rec, 0.25) - ref
	} else {
		v.Shift, badZ = ref-quantile(rec, 0.75), -badZ
	}
	v.Regression = len(baseSorted) >= minSamples && badZ >= threshold && v.Shift >= spec.Floor
	return v
}

// quantile of sorted values, interpolating linearly between the two nearest ranks.
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (pos-float64(i))*(sorted[i+1]-sorted[i])
}

// median is the middle value of vals (the mean of the two middle ones for an even count).
func median(vals []float64) float64 { return quantile(slices.Sorted(slices.Values(vals)), 0.5) }

// mannWhitneyZ is the normal approximation of the Mann-Whitney U statistic of a against b, with
// the correction for ties: positive when a's values rank above b's. Ties matter here: a
// saturated CPU reads 1.0 again and again. With no spread at all (every value equal) it is 0.
func mannWhitneyZ(a, b []float64) float64 {
	return mannWhitneySorted(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// mannWhitneySorted is mannWhitneyZ of sorted samples: one merge walks both, ranking each group
// of equal values with their mean rank.
func mannWhitneySorted(a, b []float64) float64 {
	n1, n2 := float64(len(a)), float64(len(b))
	if n1 == 0 || n2 == 0 {
		return 0
	}
	var r1, tieTerm float64 // rank sum of a; sum of t^3 - t over groups of t tied values
	i, j, rank := 0, 0, 0
	for i < len(a) || j < len(b) {
		var v float64
		switch {
		case j >= len(b) || (i < len(a) && a[i] <= b[j]):
			v = a[i]
		default:
			v = b[j]
		}
		ca, cb := 0, 0
		for i < len(a) && a[i] == v {
			i, ca = i+1, ca+1
		}
		for j < len(b) && b[j] == v {
			j, cb = j+1, cb+1
		}
		t := float64(ca + cb)
		mid := float64(rank) + (t+1)/2 // ranks rank+1 .. rank+t
		r1 += float64(ca) * mid
		tieTerm += t*t*t - t
		rank += ca + cb
	}
	u := r1 - n1*(n1+1)/2
	n := n1 + n2
	variance := n1 * n2 / 12 * ((n + 1) - tieTerm/(n*(n-1)))
	if variance <= 0 {
		return 0
	}
	return (u - n1*n2/2) / math.Sqrt(variance)
}
