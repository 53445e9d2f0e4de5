package perf

import (
	"os"
	"path/filepath"
	"testing"
)

func readFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParsePressure(t *testing.T) {
	p, err := parsePressure(readFile(t, "psi/memory-thrashing.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Some != (PressureLine{31.52, 18.07, 6.93, 412093855}) || p.Full == nil || p.Full.Avg60 != 12.88 {
		t.Errorf("ParsePressure = %+v (full %+v)", p, p.Full)
	}
	p, err = parsePressure(readFile(t, "psi/cpu-5.10.txt"))
	if err != nil || p.Full != nil || p.Some.Avg60 != 0.40 {
		t.Errorf("cpu before 5.13: %+v, %v", p, err)
	}
	if _, err := parsePressure(""); err == nil {
		t.Error("an empty PSI file parsed")
	}
}

func TestJudge(t *testing.T) {
	thrash, err := parsePressure(readFile(t, "psi/memory-thrashing.txt"))
	if err != nil {
		t.Fatal(err)
	}
	idle, err := parsePressure(readFile(t, "psi/memory-idle.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		r    Report
		want []string
	}{
		{"quiet host", Report{Pressure: map[string]Pressure{"memory": idle}, SwapTotal: 8 << 30, SwapFree: 7 << 30}, nil},
		{"thrashing", Report{Pressure: map[string]Pressure{"memory": thrash}, SwapTotal: 8 << 30, SwapFree: 1 << 30},
			[]string{"memory pressure 18.1% (some, avg60): tasks stall waiting for memory", "swap 88% used"}},
		{"regressions", Report{Regressed: []Regression{{"boot_userspace_seconds", 21.9, 9.88, 1000}, {"bench_fsync_seconds", 0.02, 0.004, 8}}},
			[]string{"baseline boot_userspace_seconds regressed: 21.9 against a mean of 9.88 (z 1000.0)",
				"baseline bench_fsync_seconds regressed: 0.02 against a mean of 0.004 (z 8.0)"}},
		{"no exporter", Report{BaselinesError: "baselines: curl: (7) Failed to connect"}, []string{"baselines: curl: (7) Failed to connect"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := judge(tt.r)
			if len(got) != len(tt.want) {
				t.Fatalf("Judge = %v, want %d problems", got, len(tt.want))
			}
			for i, w := range tt.want {
				if got[i].What != w || got[i].Fix == "" {
					t.Errorf("problem %d = %+v, want %q with a fix", i, got[i], w)
				}
			}
		})
	}
}
