package perf

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func readFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseTimespan(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
	}{
		{"848ms", 848 * time.Millisecond},
		{"9.884s", 9884 * time.Millisecond},
		{"1min 2.345s", time.Minute + 2345*time.Millisecond},
		{"1h 2min", time.Hour + 2*time.Minute},
		{"512us", 512 * time.Microsecond},
		{"1d 3h", 27 * time.Hour},
	} {
		got, err := ParseTimespan(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseTimespan(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseTimespan("soon"); err == nil {
		t.Error(`ParseTimespan("soon") succeeded`)
	}
}

func TestParseAnalyzeTime(t *testing.T) {
	ms := time.Millisecond
	for _, tt := range []struct {
		file string
		want Boot
	}{
		{"analyze/time-container.txt", Boot{Phases: map[string]time.Duration{"userspace": 848 * ms}, Total: 848 * ms,
			Target: "graphical.target", TargetAfter: 803 * ms}},
		{"analyze/time-laptop.txt", Boot{Phases: map[string]time.Duration{"firmware": 5742 * ms, "loader": 2103 * ms,
			"kernel": 1821 * ms, "initrd": 3270 * ms, "userspace": 9884 * ms}, Total: 22821 * ms,
			Target: "graphical.target", TargetAfter: 9861 * ms}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseAnalyzeTime(readFile(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseAnalyzeTime =\n  %+v\nwant\n  %+v", got, tt.want)
			}
		})
	}
	// systemd-analyze's message while the boot runs (analyze-time-data.c, "Bootup is not yet finished").
	if _, err := ParseAnalyzeTime("Bootup is not yet finished (org.freedesktop.systemd1.Manager.FinishTimestampMonotonic=0).\nPlease try again later.\n"); err == nil {
		t.Error("an unfinished boot parsed")
	}
}

func TestParseBlame(t *testing.T) {
	u, err := ParseBlame(readFile(t, "analyze/blame-container.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(u) < 5 || u[0] != (Unit{"systemd-logind.service", 104 * time.Millisecond}) || u[2] != (Unit{"sshd.service", 68 * time.Millisecond}) {
		t.Errorf("ParseBlame = %+v", u)
	}
}

func TestParsePressure(t *testing.T) {
	p, err := ParsePressure(readFile(t, "psi/memory-thrashing.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Some != (PressureLine{31.52, 18.07, 6.93, 412093855}) || p.Full == nil || p.Full.Avg60 != 12.88 {
		t.Errorf("ParsePressure = %+v (full %+v)", p, p.Full)
	}
	p, err = ParsePressure(readFile(t, "psi/cpu-5.10.txt"))
	if err != nil || p.Full != nil || p.Some.Avg60 != 0.40 {
		t.Errorf("cpu before 5.13: %+v, %v", p, err)
	}
	if _, err := ParsePressure(""); err == nil {
		t.Error("an empty PSI file parsed")
	}
}

func TestJudge(t *testing.T) {
	thrash, err := ParsePressure(readFile(t, "psi/memory-thrashing.txt"))
	if err != nil {
		t.Fatal(err)
	}
	idle, err := ParsePressure(readFile(t, "psi/memory-idle.txt"))
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
			got := Judge(tt.r)
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
