package baseline

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// BenchSpecs are the micro-benchmarks' metrics.
var BenchSpecs = []Spec{
	{Name: "bench_cpu_loop_seconds", HigherIsWorse: true, Floor: 0.002},
	{Name: "bench_memory_copy_bytes_per_second", HigherIsWorse: false, Floor: 256 << 20},
	{Name: "bench_fsync_seconds", HigherIsWorse: true, Floor: 0.002},
}

// Bench is one micro-benchmark; it must stop when ctx ends.
type Bench struct {
	Name string
	Run  func(ctx context.Context) (float64, error)
}

// HostBenches are small, fixed amounts of work: a SHA-256 loop, a 64 MiB copy, and a 4 KiB
// write+fsync in dir (the state directory, so it measures the disk the state lives on).
func HostBenches(dir string) []Bench {
	return []Bench{
		{"bench_cpu_loop_seconds", func(ctx context.Context) (float64, error) {
			begin := time.Now()
			sum := sha256.Sum256([]byte("hub"))
			for i := 0; i < 200_000; i++ {
				if i%10_000 == 0 && ctx.Err() != nil {
					return 0, ctx.Err()
				}
				sum = sha256.Sum256(sum[:])
			}
			return time.Since(begin).Seconds(), nil
		}},
		{"bench_memory_copy_bytes_per_second", func(ctx context.Context) (float64, error) {
			const size, rounds = 64 << 20, 4
			src, dst := make([]byte, size), make([]byte, size)
			for i := range src {
				src[i] = byte(i)
			}
			begin := time.Now()
			for i := 0; i < rounds; i++ {
				if ctx.Err() != nil {
					return 0, ctx.Err()
				}
				copy(dst, src)
			}
			return float64(size*rounds) / time.Since(begin).Seconds(), nil
		}},
		{"bench_fsync_seconds", func(ctx context.Context) (float64, error) {
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
		}},
	}
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
