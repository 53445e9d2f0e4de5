package baseline

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/durablefile/durabletest"
)

func analyzeFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "systemdanalyze", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// One sample per boot, however often the exporter restarts; ten ordinary boots make a baseline
// (BootSpecs' MinSamples, not the engine's 30). One slow boot is not a regression yet (the
// recent window is five boots: Mann-Whitney cannot reach z 3 on fewer); five boots 12 s slower
// in userspace are, while the phases that did not change are not.
func TestBootWatch(t *testing.T) {
	normal, slow := analyzeFile(t, "time-laptop.txt"), analyzeFile(t, "time-laptop-slow.txt")
	e := NewEngine(Config{Window: 100, Threshold: 3, MinSamples: 30}, BootSpecs, State{})
	dir := t.TempDir()
	ctx := context.Background()
	watch := func(boot, out string) {
		t.Helper()
		if err := BootWatch(ctx, e, Boot{ID: boot, System: "/nix/store/" + boot + "-nixos-system"}, dir, func(context.Context) (string, error) { return out, nil }, time.Millisecond, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		watch(string(rune('a'+i)), normal)
		watch(string(rune('a'+i)), normal) // the exporter restarted within the same boot
	}
	if n := len(e.snapshot().Windows["boot_userspace_seconds"]); n != 10 {
		t.Fatalf("ten boots, each watched twice, left %d samples", n)
	}
	watch("k", slow)
	e.mu.Lock()
	if v := e.verdicts["boot_userspace_seconds"]; v.Regression {
		t.Errorf("one slow boot is already a regression: %+v", v)
	}
	e.mu.Unlock()
	for _, id := range []string{"l", "m", "n", "o"} {
		watch(id, slow)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "boot-observed")); err != nil || string(b) != "o\n" {
		t.Errorf("marker %q, %v; want the last boot's id", b, err)
	}
	if st, err := os.Stat(filepath.Join(dir, "boot-observed")); err != nil {
		t.Error(err)
	} else if st.Mode().Perm() != 0o600 {
		t.Errorf("marker mode %v, want 0600", st.Mode().Perm())
	}
	durabletest.NoTempFiles(t, dir)
	log, err := os.ReadFile(BootsLog(dir))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(log)), "\n")
	var last BootRecord
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || len(lines) != 15 {
		t.Fatalf("boots.jsonl: %d lines, last %q: %v", len(lines), lines[len(lines)-1], err)
	}
	if last.ID != "o" || last.System != "/nix/store/o-nixos-system" || last.Seconds["userspace"] != 21.917 {
		t.Errorf("last boot record %+v", last)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for name, want := range map[string]bool{"boot_userspace_seconds": true, "boot_total_seconds": true,
		"boot_firmware_seconds": false, "boot_kernel_seconds": false, "boot_initrd_seconds": false} {
		if v := e.verdicts[name]; v.Regression != want {
			t.Errorf("%s: regression %t, want %t (%+v)", name, v.Regression, want, v)
		}
	}
}

// An unfinished boot is retried until systemd-analyze answers, and ctx ends the wait.
func TestBootWatchWaitsForTheBoot(t *testing.T) {
	e := NewEngine(Config{Window: 10, Threshold: 3, MinSamples: 30}, BootSpecs, State{})
	dir := t.TempDir()
	calls := 0
	err := BootWatch(context.Background(), e, Boot{ID: "x"}, dir, func(context.Context) (string, error) {
		calls++
		if calls < 3 {
			return "Bootup is not yet finished (org.freedesktop.systemd1.Manager.FinishTimestampMonotonic=0).\n", errors.New("exit status 1")
		}
		return analyzeFile(t, "time-container.txt"), nil
	}, time.Millisecond, nil)
	if err != nil || calls != 3 || len(e.snapshot().Windows["boot_userspace_seconds"]) != 1 {
		t.Fatalf("err %v after %d calls, %d samples", err, calls, len(e.snapshot().Windows["boot_userspace_seconds"]))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err = BootWatch(ctx, e, Boot{ID: "y"}, dir, func(context.Context) (string, error) { return "", errors.New("no bus") }, time.Millisecond, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a boot that never finishes: %v", err)
	}
}
