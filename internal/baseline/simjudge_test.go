package baseline

import "time"

// simJudge is the detector of the simulations: an engine configured as hub-baseline-exporter's
// defaults (1-minute samples, a 30 min recent window after a 24 h baseline, threshold 3, 30
// samples).
func simJudge(spec Spec) func(x float64) bool {
	e := NewEngine(Config{Window: 1440 + 30, Recent: 30, Threshold: 3, MinSamples: 30}, []Spec{spec}, State{})
	at := time.Unix(0, 0)
	return func(x float64) bool {
		at = at.Add(time.Minute)
		e.Observe(spec.Name, x, at)
		return e.verdicts[spec.Name].Regression
	}
}
