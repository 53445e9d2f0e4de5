package baseline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/procfs"
	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/disk"
	"github.com/shirou/gopsutil/v4/load"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/shirou/gopsutil/v4/net"
)

// Raw is one reading of the host's counters and gauges; rates come from two of them.
type Raw struct {
	Time                    time.Time
	CPUTotal, CPUBusy       float64 // seconds, summed over CPUs
	CPUs                    int
	MemUsedRatio, SwapRatio float64
	Load1                   float64
	DiskRead, DiskWrite     uint64 // bytes
	DiskIOTimeMs            map[string]uint64
	NetRx, NetTx            uint64             // bytes, loopback excluded
	PressureSome            map[string]float64 // resource -> avg10 as a ratio
	HasSwap, HasPressure    bool
}

// Source takes readings. HostSource reads the machine; tests script one.
type Source interface {
	Read(ctx context.Context) (Raw, error)
}

// HostSource reads the host with gopsutil and /proc/pressure (PSI, where the kernel has it).
type HostSource struct {
	// SysBlock lists whole disks; partitions are skipped so their I/O is not counted twice.
	SysBlock string
	Proc     string
}

// Read takes one reading; it never sleeps (no cpu.Percent with an interval).
func (h HostSource) Read(ctx context.Context) (Raw, error) {
	r := Raw{Time: time.Now(), DiskIOTimeMs: map[string]uint64{}}
	times, err := cpu.TimesWithContext(ctx, true)
	if err != nil {
		return Raw{}, fmt.Errorf("cpu times: %w", err)
	}
	r.CPUs = len(times)
	for _, t := range times {
		total := t.User + t.System + t.Idle + t.Nice + t.Iowait + t.Irq + t.Softirq + t.Steal
		r.CPUTotal += total
		r.CPUBusy += total - t.Idle - t.Iowait
	}
	vm, err := mem.VirtualMemoryWithContext(ctx)
	if err != nil {
		return Raw{}, fmt.Errorf("memory: %w", err)
	}
	r.MemUsedRatio = vm.UsedPercent / 100
	if sw, err := mem.SwapMemoryWithContext(ctx); err == nil && sw.Total > 0 {
		r.SwapRatio, r.HasSwap = sw.UsedPercent/100, true
	}
	if l, err := load.AvgWithContext(ctx); err == nil {
		r.Load1 = l.Load1
	}
	if io, err := disk.IOCountersWithContext(ctx); err == nil {
		for name, c := range io {
			if _, err := os.Stat(filepath.Join(h.SysBlock, name)); err != nil {
				continue
			}
			r.DiskRead += c.ReadBytes
			r.DiskWrite += c.WriteBytes
			r.DiskIOTimeMs[name] = c.IoTime // milliseconds
		}
	}
	if nics, err := net.IOCountersWithContext(ctx, true); err == nil {
		for _, n := range nics {
			if n.Name == "lo" {
				continue
			}
			r.NetRx += n.BytesRecv
			r.NetTx += n.BytesSent
		}
	}
	if fs, err := procfs.NewFS(h.Proc); err == nil {
		r.PressureSome = map[string]float64{}
		for _, res := range []string{"cpu", "memory", "io"} {
			psi, err := fs.PSIStatsForResource(res)
			if err != nil || psi.Some == nil {
				continue
			}
			r.PressureSome[res] = psi.Some.Avg10 / 100
			r.HasPressure = true
		}
	}
	return r, nil
}

// HostSpecs are the sampled metrics with their regression direction and default floors.
var HostSpecs = []Spec{
	{Name: "cpu_utilisation_ratio", HigherIsWorse: true, Floor: 0.05},
	{Name: "memory_used_ratio", HigherIsWorse: true, Floor: 0.05},
	{Name: "swap_used_ratio", HigherIsWorse: true, Floor: 0.05},
	{Name: "load1_per_cpu", HigherIsWorse: true, Floor: 0.25},
	{Name: "disk_read_bytes_per_second", HigherIsWorse: true, Floor: 8 << 20},
	{Name: "disk_write_bytes_per_second", HigherIsWorse: true, Floor: 8 << 20},
	{Name: "disk_busy_ratio", HigherIsWorse: true, Floor: 0.05},
	{Name: "network_receive_bytes_per_second", HigherIsWorse: true, Floor: 8 << 20},
	{Name: "network_transmit_bytes_per_second", HigherIsWorse: true, Floor: 8 << 20},
	{Name: "pressure_cpu_some_ratio", HigherIsWorse: true, Floor: 0.02},
	{Name: "pressure_memory_some_ratio", HigherIsWorse: true, Floor: 0.02},
	{Name: "pressure_io_some_ratio", HigherIsWorse: true, Floor: 0.02},
}

// derive turns two readings into metric values. Counter rates need prev; a counter that went
// backwards (reboot, device removal) yields no rate rather than a negative one.
func derive(prev, cur Raw) map[string]float64 {
	out := map[string]float64{
		"memory_used_ratio": cur.MemUsedRatio,
	}
	if cur.CPUs > 0 {
		out["load1_per_cpu"] = cur.Load1 / float64(cur.CPUs)
	}
	if cur.HasSwap {
		out["swap_used_ratio"] = cur.SwapRatio
	}
	if cur.HasPressure {
		for res, v := range cur.PressureSome {
			out["pressure_"+res+"_some_ratio"] = v
		}
	}
	dt := cur.Time.Sub(prev.Time).Seconds()
	if prev.Time.IsZero() || dt <= 0 {
		return out
	}
	if dTotal := cur.CPUTotal - prev.CPUTotal; dTotal > 0 && cur.CPUBusy >= prev.CPUBusy {
		out["cpu_utilisation_ratio"] = (cur.CPUBusy - prev.CPUBusy) / dTotal
	}
	rate := func(name string, a, b uint64) {
		if b >= a {
			out[name] = float64(b-a) / dt
		}
	}
	rate("disk_read_bytes_per_second", prev.DiskRead, cur.DiskRead)
	rate("disk_write_bytes_per_second", prev.DiskWrite, cur.DiskWrite)
	rate("network_receive_bytes_per_second", prev.NetRx, cur.NetRx)
	rate("network_transmit_bytes_per_second", prev.NetTx, cur.NetTx)
	busiest, seen := 0.0, false
	for name, ms := range cur.DiskIOTimeMs {
		if p, ok := prev.DiskIOTimeMs[name]; ok && ms >= p {
			busiest, seen = max(busiest, float64(ms-p)/1000/dt), true
		}
	}
	if seen {
		out["disk_busy_ratio"] = min(busiest, 1)
	}
	return out
}

// Sample reads src every interval and feeds the engine until ctx ends.
func Sample(ctx context.Context, src Source, e *Engine, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var prev Raw
	for {
		cur, err := src.Read(ctx)
		switch {
		case errors.Is(err, context.Canceled):
			return
		case err != nil:
			logger.Warn("sample", "err", err)
		default:
			for name, v := range derive(prev, cur) {
				e.Observe(name, v, cur.Time)
			}
			prev = cur
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
