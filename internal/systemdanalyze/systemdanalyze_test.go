package systemdanalyze

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
		got, err := parseTimespan(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseTimespan(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseTimespan("soon"); err == nil {
		t.Error(`ParseTimespan("soon") succeeded`)
	}
}

func TestParseTime(t *testing.T) {
	ms := time.Millisecond
	for _, tt := range []struct {
		file string
		want Boot
	}{
		{"time-container.txt", Boot{Phases: map[string]time.Duration{"userspace": 848 * ms}, Total: 848 * ms,
			Target: "graphical.target", TargetAfter: 803 * ms}},
		{"time-laptop.txt", Boot{Phases: map[string]time.Duration{"firmware": 5742 * ms, "loader": 2103 * ms,
			"kernel": 1821 * ms, "initrd": 3270 * ms, "userspace": 9884 * ms}, Total: 22821 * ms,
			Target: "graphical.target", TargetAfter: 9861 * ms}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseTime(readFile(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseTime =\n  %+v\nwant\n  %+v", got, tt.want)
			}
		})
	}
	// systemd-analyze's message while the boot runs (analyze-time-data.c, "Bootup is not yet finished").
	if _, err := ParseTime("Bootup is not yet finished (org.freedesktop.systemd1.Manager.FinishTimestampMonotonic=0).\nPlease try again later.\n"); err == nil {
		t.Error("an unfinished boot parsed")
	}
}

func TestParseBlame(t *testing.T) {
	u, err := ParseBlame(readFile(t, "blame-container.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(u) < 5 || u[0] != (Unit{"systemd-logind.service", 104 * time.Millisecond}) || u[2] != (Unit{"sshd.service", 68 * time.Millisecond}) {
		t.Errorf("ParseBlame = %+v", u)
	}
}
