package baseline

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// A simulation feeds the engine a synthetic series, sample by sample, and evaluates the alert
// the way Prometheus does: the PerformanceRegression rule (hub_baseline_regression == 1 for 30m)
// evaluated every minute on the latest verdict. It counts alert episodes that start while the
// series is regressed (true) or not (false), so the detector is judged on what pages a person,
// not on single flags.

const (
	alertFor     = 30 * time.Minute // monitoring's regressionFor
	evalInterval = time.Minute
	// lateAlert is how long after a regression ends an alert that starts still counts as true.
	lateAlert = time.Hour
	// warmUp: alerts of the first day, before the window is full, are not counted: the baseline
	// does not know the host's day yet, and every scenario's regression starts later.
	warmUp = 24 * time.Hour
)

type scenario struct {
	name     string
	spec     Spec
	every    time.Duration // sampling interval
	span     time.Duration
	value    func(t time.Duration, rng *rand.Rand) float64
	regStart time.Duration // regression period [regStart, regEnd); regEnd 0: none
	regEnd   time.Duration
	// wantTrue: the detector must raise a true alert within within of regStart.
	wantTrue bool
	within   time.Duration
	// falsePerDay is how many false alerts a day the scenario may raise: 0 but for a known
	// limitation, which the test holds to what RESULTS.md says.
	falsePerDay float64
}

type simResult struct {
	trueAlerts, falseAlerts int
	firstDelay              time.Duration // -1: no true alert
	firing                  time.Duration // time firing during the regression
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }

const day = 24 * time.Hour

// The exporter's own specs: cpu_utilisation_ratio and bench_cpu_loop_seconds.
var cpuSpec, benchSpec = HostSpecs[0], BenchSpecs[0]

// burst is a bursty desktop: mostly idle, with bursts of full load of 1-10 minutes starting at
// random (one every 20 minutes on average). It keeps its state between calls, sample by sample.
func burst() func(t time.Duration, rng *rand.Rand) float64 {
	left, level := 0, 0.0
	return func(_ time.Duration, rng *rand.Rand) float64 {
		if left == 0 && rng.Float64() < 1.0/20 {
			left, level = 1+rng.IntN(10), 0.5+rng.Float64()/2
		}
		if left > 0 {
			left--
			return clamp01(level + rng.NormFloat64()*0.05)
		}
		return clamp01(0.05 + rng.NormFloat64()*0.02)
	}
}

// scenarios are the cases of issue 14: step, noisy, bursty and no change, for a host metric
// sampled every minute (24 h window) and for the hourly CPU benchmark.
func scenarios() []scenario {
	quiet := func(_ time.Duration, rng *rand.Rand) float64 { return clamp01(0.10 + rng.NormFloat64()*0.02) }
	noisy := func(_ time.Duration, rng *rand.Rand) float64 { return clamp01(0.30 + rng.NormFloat64()*0.10) }
	after := func(at time.Duration, before, then func(time.Duration, *rand.Rand) float64) func(time.Duration, *rand.Rand) float64 {
		return func(t time.Duration, rng *rand.Rand) float64 {
			if t >= at {
				return then(t, rng)
			}
			return before(t, rng)
		}
	}
	between := func(from, to time.Duration, in, out func(time.Duration, *rand.Rand) float64) func(time.Duration, *rand.Rand) float64 {
		return func(t time.Duration, rng *rand.Rand) float64 {
			if t >= from && t < to {
				return in(t, rng)
			}
			return out(t, rng)
		}
	}
	saturated := func(time.Duration, *rand.Rand) float64 { return 1 }
	plus := func(d float64, f func(time.Duration, *rand.Rand) float64) func(time.Duration, *rand.Rand) float64 {
		return func(t time.Duration, rng *rand.Rand) float64 { return clamp01(f(t, rng) + d) }
	}
	// A run of the CPU bench: 20 ms, 1% jitter; 15% of runs meet a busy host and take 1.3-2.5x.
	benchRun := func(base float64) func(time.Duration, *rand.Rand) float64 {
		return func(_ time.Duration, rng *rand.Rand) float64 {
			v := base * (1 + rng.NormFloat64()*0.01)
			if rng.Float64() < 0.15 {
				v *= 1.3 + rng.Float64()*1.2
			}
			return v
		}
	}
	t0 := 2 * day // a day of warm-up fills the window, a day more of no change
	return []scenario{
		{name: "no change, quiet (0.10 ± 0.02)", spec: cpuSpec, every: time.Minute, span: 4 * day, value: quiet},
		{name: "no change, noisy (0.30 ± 0.10)", spec: cpuSpec, every: time.Minute, span: 4 * day, value: noisy},
		{name: "no change, bursty desktop", spec: cpuSpec, every: time.Minute, span: 4 * day, value: burst()},
		{name: "no change, working day (+0.30 from 9 to 18 h)", spec: cpuSpec, every: time.Minute, span: 4 * day,
			value: func(t time.Duration, rng *rand.Rand) float64 {
				if h := (t % day).Hours(); h >= 9 && h < 18 {
					return clamp01(quiet(t, rng) + 0.30)
				}
				return quiet(t, rng)
			}},
		{name: "no change, nightly job (1.0 from 2 to 4 h)", spec: cpuSpec, every: time.Minute, span: 4 * day,
			value: func(t time.Duration, rng *rand.Rand) float64 {
				if h := (t % day).Hours(); h >= 2 && h < 4 {
					return 1
				}
				return quiet(t, rng)
			}},
		{name: "no change but 60 s at 1.0", spec: cpuSpec, every: time.Minute, span: 4 * day,
			value: between(t0, t0+time.Minute, saturated, quiet)},
		{name: "step 0.10 → 0.40", spec: cpuSpec, every: time.Minute, span: 4 * day, regStart: t0, regEnd: 4 * day,
			value: after(t0, quiet, plus(0.30, quiet)), wantTrue: true, within: time.Hour},
		{name: "noisy step 4.5× (0.10 ± 0.05 → 0.45 ± 0.25)", spec: cpuSpec, every: time.Minute, span: 4 * day, regStart: t0, regEnd: 4 * day,
			value: after(t0, func(_ time.Duration, rng *rand.Rand) float64 { return clamp01(0.10 + rng.NormFloat64()*0.05) },
				func(_ time.Duration, rng *rand.Rand) float64 { return clamp01(0.45 + rng.NormFloat64()*0.25) }),
			wantTrue: true, within: 2 * time.Hour},
		{name: "bursty desktop +0.30 for good", spec: cpuSpec, every: time.Minute, span: 4 * day, regStart: t0, regEnd: 4 * day,
			value: func() func(time.Duration, *rand.Rand) float64 {
				b := burst()
				return func(t time.Duration, rng *rand.Rand) float64 {
					v := b(t, rng)
					if t >= t0 {
						v = clamp01(v + 0.30)
					}
					return v
				}
			}(), wantTrue: true, within: 2 * time.Hour},
		{name: "CPU at 1.0 for 10 h", spec: cpuSpec, every: time.Minute, span: 4 * day, regStart: t0, regEnd: t0 + 10*time.Hour,
			value: between(t0, t0+10*time.Hour, saturated, quiet), wantTrue: true, within: time.Hour},
		{name: "hourly CPU bench, no change, 15% of runs on a busy host", spec: benchSpec, every: time.Hour, span: 30 * day,
			value: benchRun(0.020)},
		{name: "hourly CPU bench, +50% (20 → 30 ms)", spec: benchSpec, every: time.Hour, span: 30 * day, regStart: 15 * day, regEnd: 30 * day,
			value: after(15*day, benchRun(0.020), benchRun(0.030)), wantTrue: true, within: 10 * time.Hour},
	}
}

// simulate runs one scenario through judge, the detector under test: it takes each sample and
// returns the regression flag after it.
func simulate(sc scenario, seed uint64, judge func(x float64) bool) simResult {
	rng := rand.New(rand.NewPCG(seed, 42))
	res := simResult{firstDelay: -1}
	flag := false
	var pendingSince time.Duration = -1
	firing := false
	next := time.Duration(0) // next sample
	for now := time.Duration(0); now < sc.span; now += evalInterval {
		for next <= now {
			flag = judge(sc.value(next, rng))
			next += sc.every
		}
		if !flag {
			pendingSince, firing = -1, false
			continue
		}
		if firing && sc.regEnd > 0 && now >= sc.regStart && now < sc.regEnd {
			res.firing += evalInterval
		}
		if pendingSince < 0 {
			pendingSince = now
		}
		if !firing && now-pendingSince >= alertFor {
			firing = true
			regressed := sc.regEnd > 0 && now >= sc.regStart && now < sc.regEnd+lateAlert
			if regressed {
				res.trueAlerts++
				if res.firstDelay < 0 {
					res.firstDelay = now - sc.regStart
				}
			} else if now >= warmUp {
				res.falseAlerts++
			}
		}
	}
	return res
}

// simSeeds: every scenario runs with these seeds; counts are summed.
var simSeeds = []uint64{1, 2, 3, 4, 5}

// TestRegressionSimulation is the table in benchmarks/RESULTS.md (go test -run
// TestRegressionSimulation -v ./internal/baseline/ prints it): no false alert in the scenarios without
// a regression, and a true alert in time in each scenario with one.
func TestRegressionSimulation(t *testing.T) {
	var table strings.Builder
	fmt.Fprintf(&table, "| scenario | true alerts | false alerts | false alerts per day | first alert after | alerting, of the regression |\n|---|---|---|---|---|---|\n")
	for i, sc := range scenarios() {
		var total simResult
		total.firstDelay = -1
		worst := time.Duration(-1)
		missed := 0
		for _, seed := range simSeeds {
			sc := scenarios()[i] // fresh: a scenario's value function may keep state
			r := simulate(sc, seed, simJudge(sc.spec))
			total.trueAlerts += r.trueAlerts
			total.falseAlerts += r.falseAlerts
			total.firing += r.firing
			if r.firstDelay < 0 {
				missed++
			} else {
				worst = max(worst, r.firstDelay)
			}
		}
		perDay := float64(total.falseAlerts) / (float64(len(simSeeds)) * sc.span.Hours() / 24)
		delay := "–"
		if sc.regEnd > 0 {
			delay = "never"
			if missed == 0 {
				delay = "≤ " + worst.String()
			} else if missed < len(simSeeds) {
				delay = fmt.Sprintf("missed in %d of %d runs", missed, len(simSeeds))
			}
		}
		share := "–"
		if sc.regEnd > 0 {
			share = fmt.Sprintf("%.0f %%", 100*total.firing.Hours()/(float64(len(simSeeds))*(sc.regEnd-sc.regStart).Hours()))
		}
		fmt.Fprintf(&table, "| %s | %d | %d | %.2f | %s | %s |\n", sc.name, total.trueAlerts, total.falseAlerts, perDay, delay, share)
		if perDay > sc.falsePerDay {
			t.Errorf("%s: %d false alerts in %d runs, %.2f a day, want at most %.2f", sc.name, total.falseAlerts, len(simSeeds), perDay, sc.falsePerDay)
		}
		if sc.wantTrue && (missed > 0 || worst > sc.within) {
			t.Errorf("%s: true alert missed in %d of %d runs, slowest after %v; want each within %v", sc.name, missed, len(simSeeds), worst, sc.within)
		}
	}
	t.Logf("%d runs per scenario (seeds %v), alert = regression for %v, evaluated every %v:\n%s", len(simSeeds), simSeeds, alertFor, evalInterval, table.String())
}
