package baseline

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// benchRecent is the recent window of the benchmarks, in runs: hourly runs judged on the last
// eight, so a run or two disturbed by the host (a build, a backup) cannot make a regression, and
// eight ranks give the Mann-Whitney z room to pass 3 even when a sixth of the baseline's runs
// were slowed (five allow 3.9 at most against a clean baseline, 2.7 against that one).
const benchRecent = 8

// BenchSpecs are the micro-benchmarks' metrics.
var BenchSpecs = []Spec{
	{Name: "bench_cpu_loop_seconds", HigherIsWorse: true, Floor: 0.002, Recent: benchRecent},
	{Name: "bench_memory_copy_bytes_per_second", HigherIsWorse: false, Floor: 256 << 20, Recent: benchRecent},
	{Name: "bench_fsync_seconds", HigherIsWorse: true, Floor: 0.002, Recent: benchRecent},
}

// Bench is one micro-benchmark; it must stop when ctx ends.
type Bench struct {
	Name string
	Run  func(ctx context.Context) (float64, error)
}

// benchRepeats: a bench's value is the best of this many runs, the one least disturbed by
// whatever else the host did meanwhile.
const benchRepeats = 3

// Memory-copy working set: two buffers of copySize, copied copyRounds times. Mapped outside the
// Go heap and unmapped after each run, so the exporter's resident memory grows by 2 x copySize
// for the milliseconds of the copy only. (Two 64 MiB heap slices per run kept the process at
// 147 MB resident, 250 MB under scraping, against node_exporter's 22 MB.) 4 MiB is larger than
// a core's L2 cache; where the L3 holds both buffers this measures L3 rather than DRAM bandwidth,
// which is as good a baseline: what it must show is the host getting slower than it was.
const (
	copySize   = 4 << 20
	copyRounds = 64
)

// HostBenches are small, fixed amounts of work: a SHA-256 loop, copies of a 4 MiB buffer, and a
// 4 KiB write+fsync in dir (the state directory, so it measures the disk the state lives on).
// The CPU loop and the copy are timed in the CPU time of their own thread, not wall time: other
// processes on the host take the CPU away from the bench, which wall time would count as the
// bench being slower. fsync's wall time is what it measures.
func HostBenches(dir string) []Bench {
	return []Bench{
		{"bench_cpu_loop_seconds", best(true, func(ctx context.Context) (float64, error) {
			return threadCPUTime(func() error {
				sum := sha256.Sum256([]byte("hub"))
				for i := 0; i < 200_000; i++ {
					if i%10_000 == 0 && ctx.Err() != nil {
						return ctx.Err()
					}
					sum = sha256.Sum256(sum[:])
				}
				return nil
			})
		})},
		{"bench_memory_copy_bytes_per_second", best(false, memoryCopy)},
		{"bench_fsync_seconds", best(true, func(ctx context.Context) (float64, error) {
			f, err := os.CreateTemp(dir, ".fsync-bench-*")
			if err != nil {
				return 0, fmt.Errorf("fsync bench: %w", err)
			}
			defer os.Remove(f.Name())
			defer f.Close()
			if _, err := f.Write(make([]byte, 4096)); err != nil {
				return 0, fmt.Errorf("fsync bench: %w", err)
			}
			begin := time.Now()
			if err := f.Sync(); err != nil {
				return 0, fmt.Errorf("fsync bench: %w", err)
			}
			return time.Since(begin).Seconds(), nil
		})},
	}
}

// best runs a bench benchRepeats times and keeps the lowest value (lowerIsBetter) or the highest.
func best(lowerIsBetter bool, run func(context.Context) (float64, error)) func(context.Context) (float64, error) {
	return func(ctx context.Context) (float64, error) {
		var out float64
		for i := range benchRepeats {
			v, err := run(ctx)
			if err != nil {
				return 0, err
			}
			if i == 0 || (lowerIsBetter && v < out) || (!lowerIsBetter && v > out) {
				out = v
			}
		}
		return out, nil
	}
}

// memoryCopy measures copy throughput in bytes per second of its thread's CPU time.
func memoryCopy(ctx context.Context) (float64, error) {
	src, err := unix.Mmap(-1, 0, copySize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return 0, fmt.Errorf("memory copy bench: mmap: %w", err)
	}
	defer unix.Munmap(src)
	dst, err := unix.Mmap(-1, 0, copySize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return 0, fmt.Errorf("memory copy bench: mmap: %w", err)
	}
	defer unix.Munmap(dst)
	for i := range src {
		src[i] = byte(i)
	}
	copy(dst, src) // fault every page in before timing
	secs, err := threadCPUTime(func() error {
		for range copyRounds {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			copy(dst, src)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return float64(copySize*copyRounds) / secs, nil
}

// threadCPUTime runs work on one locked OS thread and returns the CPU time that thread spent.
func threadCPUTime(work func() error) (float64, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var begin, end unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &begin); err != nil {
		return 0, fmt.Errorf("thread cpu time: %w", err)
	}
	if err := work(); err != nil {
		return 0, err
	}
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &end); err != nil {
		return 0, fmt.Errorf("thread cpu time: %w", err)
	}
	secs := float64(end.Nano()-begin.Nano()) / 1e9
	if secs <= 0 {
		return 0, fmt.Errorf("thread cpu time did not advance")
	}
	return secs, nil
}

// RunBenches runs every bench each interval, each bounded by timeout, feeding the engine.
func RunBenches(ctx context.Context, benches []Bench, e *Engine, interval, timeout time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for _, b := range benches {
			bctx, cancel := context.WithTimeout(ctx, timeout)
			v, err := b.Run(bctx)
			cancel()
			if err != nil {
				logger.Warn("benchmark", "bench", b.Name, "err", err)
				continue
			}
			e.Observe(b.Name, v, time.Now())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// StatePath is the state file inside the state directory.
func StatePath(dir string) string { return filepath.Join(dir, "baselines.state") }
