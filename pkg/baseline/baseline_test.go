package baseline

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nixos-hub/hub/pkg/exporter"
)

func TestMeanStdDev(t *testing.T) {
	for _, tc := range []struct {
		vals     []float64
		mean, sd float64
	}{
		{nil, 0, 0},
		{[]float64{5}, 5, 0},
		{[]float64{2, 4, 4, 4, 5, 5, 7, 9}, 5, math.Sqrt(32.0 / 7)},
		{[]float64{1e9 + 1, 1e9 + 2, 1e9 + 3}, 1e9 + 2, 1},
	} {
		m, sd := MeanStdDev(tc.vals)
		if math.Abs(m-tc.mean) > 1e-9 || math.Abs(sd-tc.sd) > 1e-9 {
			t.Errorf("%v: mean %v sd %v, want %v %v", tc.vals, m, sd, tc.mean, tc.sd)
		}
	}
}

func TestJudge(t *testing.T) {
	up := Spec{Name: "u", HigherIsWorse: true, Floor: 0.1}
	down := Spec{Name: "d", HigherIsWorse: false, Floor: 10}
	hist := []float64{1, 2, 3, 4, 5} // mean 3, sd ~1.58
	for _, tc := range []struct {
		name    string
		spec    Spec
		hist    []float64
		x       float64
		wantZ   float64
		wantReg bool
	}{
		{"no history", up, nil, 9, 0, false},
		{"above threshold", up, hist, 8, 5 / math.Sqrt(2.5), true},
		{"below threshold", up, hist, 4, 1 / math.Sqrt(2.5), false},
		{"good direction", up, hist, -3, -6 / math.Sqrt(2.5), false},
		{"under floor", Spec{Name: "u", HigherIsWorse: true, Floor: 6}, hist, 8, 5 / math.Sqrt(2.5), false},
		{"lower is worse", down, []float64{100, 101, 99, 100, 100}, 50, -50 / math.Sqrt(0.5), true},
		{"flat history clamps", up, []float64{1, 1, 1, 1, 1}, 2, maxZ, true},
		{"flat history unchanged", up, []float64{1, 1, 1, 1, 1}, 1, 0, false},
		{"too few samples", up, hist[:3], 100, 98, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(tc.spec, tc.hist, tc.x, 3, 5)
			if math.Abs(v.Z-tc.wantZ) > 1e-9 || v.Regression != tc.wantReg {
				t.Errorf("z %v regression %v, want %v %v", v.Z, v.Regression, tc.wantZ, tc.wantReg)
			}
		})
	}
}

func TestStatePersistence(t *testing.T) {
	dir := t.TempDir()
	path := StatePath(dir)
	want := State{Windows: map[string][]float64{"cpu_utilisation_ratio": {0.1, 0.2, 0.3}}}
	if err := SaveState(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := LoadState(path)
	if err != nil || len(got.Windows["cpu_utilisation_ratio"]) != 3 || got.Windows["cpu_utilisation_ratio"][2] != 0.3 {
		t.Fatalf("round trip: %v, %v", got, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
	good, _ := os.ReadFile(path)
	for _, tc := range []struct{ name, content string }{
		{"truncated", string(good[:len(good)-5])},
		{"header only", strings.SplitN(string(good), "\n", 2)[0] + "\n"},
		{"flipped byte", strings.Replace(string(good), "0.2", "0.9", 1)},
		{"garbage", "\x00\x01binary"},
		{"empty", ""},
		{"other version", strings.Replace(string(good), stateMagic+" 1", stateMagic+" 2", 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadState(path); err == nil {
				t.Error("damaged state loaded without error")
			}
		})
	}
	if st, err := LoadState(filepath.Join(dir, "absent")); err != nil || len(st.Windows) != 0 {
		t.Errorf("missing file: %v, %v; want empty state", st, err)
	}
}

func TestParseStateRejectsNonFinite(t *testing.T) {
	b, err := MarshalState(State{Windows: map[string][]float64{"x": {1}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseState(b); err != nil {
		t.Fatalf("valid state rejected: %v", err)
	}
	// JSON cannot carry NaN, but a large exponent overflows to Inf when decoded.
	payload := []byte(`{"windows":{"x":[1e999]}}`)
	if _, err := ParseState(append([]byte(stateHeader(payload)), payload...)); err == nil {
		t.Error("overflowing value accepted")
	}
}

func FuzzParseState(f *testing.F) {
	b, _ := MarshalState(State{Windows: map[string][]float64{"cpu_utilisation_ratio": {0.1, 0.2}}})
	f.Add(b)
	f.Add(b[:len(b)-3])
	f.Add([]byte(stateMagic + " 1 00000000 2\n{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := ParseState(b)
		if err != nil {
			return
		}
		for _, w := range st.Windows {
			for _, v := range w {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatal("non-finite value accepted")
				}
			}
		}
		// What parses must survive a round trip.
		again, err := MarshalState(st)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseState(again); err != nil {
			t.Fatalf("re-encoded state rejected: %v", err)
		}
	})
}

// script is a deterministic Source: a fixed list of readings.
type script struct{ raws []Raw }

func (s *script) Read(context.Context) (Raw, error) {
	r := s.raws[0]
	s.raws = s.raws[1:]
	return r, nil
}

func TestCollectorGolden(t *testing.T) {
	base := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	src := &script{}
	for i := 0; i < 8; i++ {
		busy := float64(i) * 1.5 // 1.5 s busy of 10 s per step -> 0.15 utilisation
		if i == 7 {
			busy = float64(6)*1.5 + 9 // last step: 9 s of 10 busy -> regression
		}
		src.raws = append(src.raws, Raw{
			Time: base.Add(time.Duration(i) * 10 * time.Second), CPUTotal: float64(i) * 10, CPUBusy: busy, CPUs: 2,
			MemUsedRatio: 0.5 + 0.01*float64(i%2), Load1: 1, DiskRead: uint64(i) * 10 << 20,
			DiskIOTimeMs: map[string]uint64{"sda": uint64(i) * 1000}, NetRx: uint64(i) * 1000,
		})
	}
	e := NewEngine(Config{Window: 100, Threshold: 3, MinSamples: 5}, HostSpecs, State{})
	var prev Raw
	for range src.raws {
		cur, _ := src.Read(context.Background())
		for name, v := range Derive(prev, cur) {
			e.Observe(name, v, cur.Time)
		}
		prev = cur
	}
	exp, err := exporter.New(exporter.Options{Namespace: "hub_baseline", Program: "hub_baseline_exporter",
		Collectors: map[string]exporter.Collector{"baseline": NewCollector(e)}})
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile("testdata/host.prom")
	if err != nil {
		t.Fatal(err)
	}
	if err := testutil.CollectAndCompare(exp.Bind(context.Background()), bytes.NewReader(golden),
		"hub_baseline_value", "hub_baseline_samples", "hub_baseline_regression", "hub_baseline_threshold",
		"hub_baseline_last_sample_timestamp_seconds"); err != nil {
		t.Error(err)
	}
}

func TestEngineRestoresAndTrimsState(t *testing.T) {
	st := State{Windows: map[string][]float64{"cpu_utilisation_ratio": {9, 1, 2, 3}, "retired_metric": {1}}}
	e := NewEngine(Config{Window: 3, Threshold: 3, MinSamples: 1}, HostSpecs, st)
	got := e.Snapshot()
	if w := got.Windows["cpu_utilisation_ratio"]; len(w) != 3 || w[0] != 1 {
		t.Errorf("window %v, want the newest 3 values [1 2 3]", w)
	}
	if _, ok := got.Windows["retired_metric"]; ok {
		t.Error("unknown metric kept")
	}
}

func TestPersisterSavesOnShutdown(t *testing.T) {
	dir := t.TempDir()
	e := NewEngine(Config{Window: 10, Threshold: 3, MinSamples: 1}, HostSpecs, State{})
	e.Observe("memory_used_ratio", 0.4, time.Now())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Persister(ctx, e, StatePath(dir), time.Hour, slog.New(slog.DiscardHandler)); close(done) }()
	cancel()
	<-done
	st, err := LoadState(StatePath(dir))
	if err != nil || len(st.Windows["memory_used_ratio"]) != 1 {
		t.Fatalf("state after shutdown: %v, %v", st, err)
	}
}

func TestHostSourceReadsThisMachine(t *testing.T) {
	src := HostSource{SysBlock: "/sys/block", Proc: "/proc"}
	a, err := src.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if a.CPUs == 0 || a.CPUTotal <= 0 || a.MemUsedRatio <= 0 || a.MemUsedRatio > 1 {
		t.Errorf("implausible reading %+v", a)
	}
}

func TestBenchesBoundedAndPositive(t *testing.T) {
	for _, b := range HostBenches(t.TempDir()) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		v, err := b.Run(ctx)
		cancel()
		if err != nil || v <= 0 {
			t.Errorf("%s = %v, %v", b.Name, v, err)
		}
		ctx, cancel = context.WithCancel(context.Background())
		cancel()
		if b.Name != "bench_fsync_seconds" {
			if _, err := b.Run(ctx); err == nil {
				t.Errorf("%s ignored a cancelled context", b.Name)
			}
		}
	}
}
