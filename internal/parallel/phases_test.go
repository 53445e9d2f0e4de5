package parallel

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/syncbuffer"
)

// Each phase's time runs from its Phase call to the next one or the job's end; a phase entered
// again adds to its first stay, and Phases during the job counts the current phase up to now.
func TestPhaseTimes(t *testing.T) {
	clock := newFakeClock()
	var during []PhaseTime
	job := func(ctx context.Context, tk *Task) error {
		tk.Phase("build")
		clock.Advance(3 * time.Second)
		tk.Phase("copy")
		clock.Advance(time.Second)
		tk.Phase("build")
		clock.Advance(2 * time.Second)
		during = tk.Phases()
		tk.Phase("activate")
		clock.Advance(500 * time.Millisecond)
		return nil
	}
	rep := mustRun(t, testContext(t), []string{"a"}, job, Options{Name: "t", Out: io.Discard, Now: clock.Now, Progress: ProgressPlain})
	want := []PhaseTime{{"build", 5 * time.Second}, {"copy", time.Second}, {"activate", 500 * time.Millisecond}}
	if got := rep.Hosts[0].Phases; !slices.Equal(got, want) {
		t.Errorf("Phases = %v, want %v", got, want)
	}
	if want := want[:2]; !slices.Equal(during, want) {
		t.Errorf("Phases during the job = %v, want %v", during, want)
	}
}

// Record writes to the host's log files only: the console never shows it.
func TestRecordKeepsLinesOutOfTheConsole(t *testing.T) {
	out := &syncbuffer.Buffer{}
	base := t.TempDir()
	rep := mustRun(t, testContext(t), []string{"a"}, func(ctx context.Context, tk *Task) error {
		tk.Phase("build")
		tk.Record("shared-lib> compiling 1 of 400")
		tk.Logf("1/3 built")
		return nil
	}, Options{Name: "t", Out: out, RunDir: base, Progress: ProgressPlain})
	if strings.Contains(out.String(), "compiling") || !strings.Contains(out.String(), "1/3 built") {
		t.Errorf("console:\n%s", out.String())
	}
	for _, f := range []string{"a.log", filepath.Join("a", "build.log")} {
		b, err := os.ReadFile(filepath.Join(rep.RunDir, f))
		if err != nil || !strings.Contains(string(b), "shared-lib> compiling 1 of 400") {
			t.Errorf("%s lacks the recorded line (%v):\n%s", f, err, b)
		}
	}
}
