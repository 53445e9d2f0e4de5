package parallel

import (
	"context"
	"io"
	"slices"
	"testing"
	"time"
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
