package deploy

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/nixos-hub/hub/internal/parallel"
)

func TestTraceMetric(t *testing.T) {
	tr := Trace{Action: Switch, Result: ResultFailed, Phase: "confirm", End: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC),
		Duration: 93*time.Second + 250*time.Millisecond, Generation: 41,
		Phases: []parallel.PhaseTime{{Name: "eval", Duration: 4 * time.Second}, {Name: "build", Duration: 61500 * time.Millisecond},
			{Name: "copy", Duration: 9 * time.Second}, {Name: "activate", Duration: 12 * time.Second}, {Name: "confirm", Duration: 6750 * time.Millisecond}}}
	got := tr.Metric()
	golden(t, "trace.prom", []byte(got))
	// node_exporter's textfile collector parses it as the exposition format.
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{
		"hub_deploy_last_timestamp_seconds": float64(tr.End.Unix()),
		"hub_deploy_last_duration_seconds":  93.25,
		"hub_deploy_last_generation":        41,
	} {
		ms := mfs[name].GetMetric()
		if len(ms) != 1 || ms[0].GetGauge().GetValue() != want || len(ms[0].GetLabel()) != 3 {
			t.Errorf("%s = %v, want one gauge %v with action, result and phase", name, ms, want)
		}
	}
	steps := map[string]float64{}
	for _, m := range mfs["hub_deploy_last_phase_duration_seconds"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "step" {
				steps[l.GetValue()] = m.GetGauge().GetValue()
			}
		}
	}
	if want := map[string]float64{"eval": 4, "build": 61.5, "copy": 9, "activate": 12, "confirm": 6.75}; !maps.Equal(steps, want) {
		t.Errorf("phase durations by step = %v, want %v", steps, want)
	}
}

func TestTraceResult(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		ctx  context.Context
		err  error
		want string
	}{
		{context.Background(), nil, ResultSuccess},
		{context.Background(), parallel.Warn(StatusUnitsFailed, errors.New("units failed")), "switched-units-failed"},
		{context.Background(), fmt.Errorf("confirm: rolled back"), ResultFailed},
		{cancelled, context.Canceled, ResultCancelled},
		// A deploy that failed on its own before Ctrl-C came is still a failure of its own.
		{context.Background(), &parallel.StatusError{Status: parallel.StatusFailed, Err: errors.New("x")}, ResultFailed},
	} {
		if got := result(tc.ctx, tc.err); got != tc.want {
			t.Errorf("result(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
