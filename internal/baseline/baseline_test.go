package baseline

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/nixos-hub/hub/internal/exporter"
	"github.com/nixos-hub/hub/internal/goldenfile"
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
		m, sd := meanStdDev(tc.vals)
		if math.Abs(m-tc.mean) > 1e-9 || math.Abs(sd-tc.sd) > 1e-9 {
			t.Errorf("%v: mean %v sd %v, want %v %v", tc.vals, m, sd, tc.mean, tc.sd)
		}
	}
}

func TestMannWhitneyZ(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b []float64
		want float64
	}{
		// U = 0 of 9, mean 4.5, variance 3*3/12*7.
		{"a all below", []float64{1, 2, 3}, []float64{4, 5, 6}, -4.5 / math.Sqrt(5.25)},
		{"a all above", []float64{4, 5, 6}, []float64{1, 2, 3}, 4.5 / math.Sqrt(5.25)},
		// Three tied 1s share rank 2: U = 1, mean 2, variance 2*2/12*(5 - 24/12) = 1.
		{"ties", []float64{1, 1}, []float64{1, 2}, -1},
		{"all equal", []float64{3, 3}, []float64{3, 3, 3}, 0},
		{"empty", nil, []float64{1}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mannWhitneyZ(tc.a, tc.b); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("z = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	up := Spec{Name: "u", HigherIsWorse: true, Floor: 0.1}
	down := Spec{Name: "d", HigherIsWorse: false, Floor: 10}
	// series is n baseline samples cycling through base, then the recent samples.
	series := func(n int, base []float64, recent ...float64) []float64 {
		var w []float64
		for i := range n {
			w = append(w, base[i%len(base)])
		}
		return append(w, recent...)
	}
	quiet := []float64{0.9, 1.0, 1.1, 1.0}
	for _, tc := range []struct {
		name    string
		spec    Spec
		window  []float64
		wantReg bool
	}{
		{"no samples", up, nil, false},
		{"step up", up, series(40, quiet, 2, 2.1, 1.9, 2, 2.2), true},
		{"step up under the floor", Spec{Name: "u", HigherIsWorse: true, Floor: 2}, series(40, quiet, 2, 2.1, 1.9, 2, 2.2), false},
		{"too few baseline samples", up, series(10, quiet, 2, 2.1, 1.9, 2, 2.2), false},
		{"good direction", up, series(40, quiet, 0.1, 0.2, 0.1, 0.2, 0.1), false},
		// One burst in the recent window moves neither the median nor the ranks enough.
		{"one burst", up, series(40, quiet, 1.0, 9, 1.0, 0.9, 1.1), false},
		{"no change", up, series(40, quiet, 1.0, 1.1, 0.9, 1.0, 1.0), false},
		// A saturated metric repeats its ceiling; ties with the baseline's own 1.0s still rank high.
		{"saturated among ties", Spec{Name: "u", HigherIsWorse: true, Floor: 0.05}, series(40, []float64{0.1, 0.2, 0.15, 1.0, 0.1, 0.2, 0.15, 0.12}, 1, 1, 1, 1, 1), true},
		{"lower is worse", down, series(40, []float64{100, 101, 99, 100}, 50, 51, 49, 50, 50), true},
		{"lower is worse, went up", down, series(40, []float64{100, 101, 99, 100}, 150, 151, 149, 150, 150), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := judgeSamples(tc.spec, tc.window, 5, 3, 30)
			if v.Regression != tc.wantReg {
				t.Errorf("regression %v (z %.2f, medians %.2f recent / %.2f baseline), want %v", v.Regression, v.Z, v.RecentMedian, v.BaselineMedian, tc.wantReg)
			}
		})
	}
}

// The engine keeps each baseline sorted as samples come and go; its verdicts must be Judge's on
// the same window, through the window's filling, trimming and ties. (A spec with its own recent
// window, as the benchmarks have, has no same-time-of-day reference, which Judge lacks.)
func TestEngineVerdictsAreJudges(t *testing.T) {
	spec := Spec{Name: "cpu_utilisation_ratio", HigherIsWorse: true, Floor: 0.05, Recent: 7}
	cfg := Config{Window: 50, Threshold: 3, MinSamples: 10}
	e := NewEngine(cfg, []Spec{spec}, State{Windows: map[string][]float64{spec.Name: {0.3, 0.1, 0.2}}})
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 400 {
		x := float64(rng.IntN(20)) / 20 // coarse values: many ties
		if i > 200 {
			x = math.Min(1, x+0.3)
		}
		e.Observe(spec.Name, x, time.Unix(int64(i), 0))
		got, want := e.verdicts[spec.Name], judgeSamples(spec, e.windows[spec.Name], spec.Recent, cfg.Threshold, cfg.MinSamples)
		if want.Regression && !got.Regression {
			t.Fatalf("sample %d: Judge flags a regression, the engine does not: %+v", i, got)
		}
		got.Regression = want.Regression // the engine's hysteresis may keep a flag Judge drops
		if got != want {
			t.Fatalf("sample %d: engine %+v, Judge %+v", i, got, want)
		}
	}
}

// What the host does every day at the same time is its normal: with a "day" of 100 samples, a
// busy stretch that recurs daily is flagged the first time only, while the same level at a new
// time of day is flagged.
func TestEngineSameTimeOfDay(t *testing.T) {
	spec := Spec{Name: "cpu_utilisation_ratio", HigherIsWorse: true, Floor: 0.05}
	const dayLen, recent = 100, 10
	level := func(i int, busyFrom int) float64 {
		v := 0.1 + 0.01*float64(i%3)
		if d := i % dayLen; d >= busyFrom && d < busyFrom+30 {
			v += 0.5
		}
		return v
	}
	for _, tc := range []struct {
		name     string
		busyFrom func(day int) int // where the busy stretch starts on each day
		want     []bool            // flagged on day 0 (the first busy stretch ever), 1, 2, 3
	}{
		{"same time every day", func(int) int { return 40 }, []bool{true, false, false, false}},
		{"a new time on day 3", func(day int) int { return map[bool]int{true: 5, false: 40}[day == 3] }, []bool{true, false, false, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEngine(Config{Window: dayLen + recent, Recent: recent, Threshold: 3, MinSamples: 30}, []Spec{spec}, State{})
			flagged := make([]bool, 4)
			for i := range 4 * dayLen {
				day := i / dayLen
				e.Observe(spec.Name, level(i, tc.busyFrom(day)), time.Unix(int64(i), 0))
				if e.verdicts[spec.Name].Regression {
					flagged[day] = true
				}
			}
			if !slices.Equal(flagged, tc.want) {
				t.Errorf("flagged on days 0-3: %v, want %v", flagged, tc.want)
			}
		})
	}
}

// A regression ends only when it is clearly over: a shift that falls just under the floor keeps
// the flag, one that falls under half of it clears it.
func TestEngineHysteresis(t *testing.T) {
	spec := Spec{Name: "cpu_utilisation_ratio", HigherIsWorse: true, Floor: 0.2}
	cfg := Config{Window: 200, Recent: 10, Threshold: 3, MinSamples: 30}
	for _, tc := range []struct {
		name  string
		after float64 // the level that follows a clear regression (0.1 -> 0.5)
		want  bool
	}{
		{"just under the floor", 0.28, true},
		{"under half the floor", 0.15, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEngine(cfg, []Spec{spec}, State{})
			obs := func(x float64, n int) {
				for range n {
					e.Observe(spec.Name, x+0.001*float64(n%3), time.Now())
				}
			}
			obs(0.1, 60)
			obs(0.5, 10)
			if !e.verdicts[spec.Name].Regression {
				t.Fatalf("no regression after the step: %+v", e.verdicts[spec.Name])
			}
			obs(tc.after, 10)
			if got := e.verdicts[spec.Name].Regression; got != tc.want {
				t.Errorf("regression %v at %v after the step, want %v: %+v", got, tc.after, tc.want, e.verdicts[spec.Name])
			}
		})
	}
}

func TestStatePersistence(t *testing.T) {
	dir := t.TempDir()
	path := StatePath(dir)
	want := State{Windows: map[string][]float64{"cpu_utilisation_ratio": {0.1, 0.2, 0.3}}}
	if err := saveState(path, want); err != nil {
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
	b, err := marshalState(State{Windows: map[string][]float64{"x": {1}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseState(b); err != nil {
		t.Fatalf("valid state rejected: %v", err)
	}
	// JSON cannot carry NaN, but a large exponent overflows to Inf when decoded.
	payload := []byte(`{"windows":{"x":[1e999]}}`)
	if _, err := parseState(append([]byte(stateHeader(payload)), payload...)); err == nil {
		t.Error("overflowing value accepted")
	}
}

func FuzzParseState(f *testing.F) {
	b, _ := marshalState(State{Windows: map[string][]float64{"cpu_utilisation_ratio": {0.1, 0.2}}})
	f.Add(b)
	f.Add(b[:len(b)-3])
	f.Add([]byte(stateMagic + " 1 00000000 2\n{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := parseState(b)
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
		again, err := marshalState(st)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseState(again); err != nil {
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
	busy := 0.0
	for i := 0; i < 20; i++ {
		if i > 0 {
			busy += 1.5 // 1.5 s busy of 10 s per step -> 0.15 utilisation
		}
		if i >= 15 {
			busy += 7.5 // the last 5 steps: 9 s of 10 busy -> regression
		}
		src.raws = append(src.raws, Raw{
			Time: base.Add(time.Duration(i) * 10 * time.Second), CPUTotal: float64(i) * 10, CPUBusy: busy, CPUs: 2,
			MemUsedRatio: 0.5 + 0.01*float64(i%2), Load1: 1, DiskRead: uint64(i) * 10 << 20,
			DiskIOTimeMs: map[string]uint64{"sda": uint64(i) * 1000}, NetRx: uint64(i) * 1000,
		})
	}
	e := NewEngine(Config{Window: 100, Recent: 5, Threshold: 3, MinSamples: 5}, HostSpecs, State{})
	var prev Raw
	for range src.raws {
		cur, _ := src.Read(context.Background())
		for name, v := range derive(prev, cur) {
			e.Observe(name, v, cur.Time)
		}
		prev = cur
	}
	exp, err := exporter.New(exporter.Options{Namespace: "hub_baseline", Program: "hub_baseline_exporter",
		Collectors: map[string]exporter.Collector{"baseline": NewCollector(e)}})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"hub_baseline_value", "hub_baseline_samples", "hub_baseline_regression", "hub_baseline_threshold",
		"hub_baseline_median", "hub_baseline_recent_median", "hub_baseline_shift", "hub_baseline_last_sample_timestamp_seconds"}
	if goldenfile.Update() {
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(exp.Bind(context.Background()))
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
		for _, mf := range mfs {
			if slices.Contains(names, mf.GetName()) {
				if err := enc.Encode(mf); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := os.WriteFile("testdata/host.prom", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile("testdata/host.prom")
	if err != nil {
		t.Fatal(err)
	}
	if err := testutil.CollectAndCompare(exp.Bind(context.Background()), bytes.NewReader(golden), names...); err != nil {
		t.Error(err)
	}
}

func TestEngineRestoresAndTrimsState(t *testing.T) {
	st := State{Windows: map[string][]float64{"cpu_utilisation_ratio": {9, 1, 2, 3}, "retired_metric": {1}}}
	e := NewEngine(Config{Window: 3, Threshold: 3, MinSamples: 1}, HostSpecs, st)
	got := e.snapshot()
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

// BenchmarkBenchesUnderHostLoad runs the CPU-loop and memory-copy benches on an idle host and
// while two other processes keep every core busy (the momentary load a build or backup brings).
// reported is the value the bench reports (CPU time of its thread, best of 3), wall the wall
// time of one of its runs, which is what the bench reported before: load must move wall, not
// reported.
//
//	go test -run '^$' -bench BenchesUnderHostLoad -benchtime 20x ./internal/baseline/
func BenchmarkBenchesUnderHostLoad(b *testing.B) {
	benches := HostBenches(b.TempDir())
	for _, load := range []bool{false, true} {
		for _, bench := range benches[:2] {
			name := bench.Name + "/idle"
			if load {
				name = bench.Name + "/loaded"
			}
			b.Run(name, func(b *testing.B) {
				if load {
					for range 2 * runtime.NumCPU() {
						hog := exec.Command("sh", "-c", "while :; do :; done")
						if err := hog.Start(); err != nil {
							b.Fatal(err)
						}
						b.Cleanup(func() { hog.Process.Kill(); hog.Wait() })
					}
					time.Sleep(200 * time.Millisecond)
				}
				var reported, wall []float64
				for b.Loop() {
					begin := time.Now()
					v, err := bench.Run(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					reported = append(reported, v)
					wall = append(wall, time.Since(begin).Seconds()/benchRepeats)
				}
				if bench.Name == "bench_memory_copy_bytes_per_second" {
					b.ReportMetric(median(reported)/(1<<30), "reported-GiB/s")
					b.ReportMetric(copySize*copyRounds/median(wall)/(1<<30), "wall-GiB/s")
				} else {
					b.ReportMetric(median(reported)*1e3, "reported-ms")
					b.ReportMetric(median(wall)*1e3, "wall-ms")
				}
			})
		}
	}
}
