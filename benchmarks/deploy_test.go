//go:build deploybench

// Deploy wall time on the local fleet: deploy:all of N hosts at once against the slowest of the
// same hosts deployed one at a time, and against the sum of those single-host deploys (what a
// serial tool such as deploy-rs does).
//
//	go test -count=1 -tags deploybench -run TestDeployWallTime -v -timeout 30m ./benchmarks/
//
// Each size runs three rounds (HUB_DEPLOYBENCH_ROUNDS) and reports medians.
package benchmarks

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/parallel"
)

func TestDeployWallTime(t *testing.T) {
	fleettest.Need(t) // -short, root and the fleet's tools
	for _, n := range []int{6, 12} {
		names, err := localfleet.HostNames(n)
		if err != nil {
			t.Fatal(err)
		}
		dir, err := os.MkdirTemp("/tmp", "hb")
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		lf, err := localfleet.Up(ctx, localfleet.Config{Dir: dir, Hosts: names})
		if err != nil {
			t.Fatal(err)
		}
		inv, err := inventory.Load(lf.InventoryDir())
		if err != nil {
			lf.Down(ctx)
			t.Fatal(err)
		}
		gen := 1
		var phasesAll, phasesSingle phaseTimes
		run := func(hosts []*inventory.Host, into *phaseTimes) time.Duration {
			gen++
			for _, h := range hosts {
				if err := lf.SetVariant(h.Name, localfleet.Variant{Generation: gen}); err != nil {
					t.Fatal(err)
				}
			}
			// A fresh executor per run, as every `go tool mage deploy:*` process starts with: no
			// ssh master connection carried over from the previous run (they made the single-host
			// runs look cheaper by the handshakes the first run had paid for).
			e := &command.Executor{}
			defer e.Close()
			var out bytes.Buffer
			clock := &phaseClock{w: &out, start: map[string]time.Time{}, cur: map[string]string{}, times: into}
			start := time.Now()
			res, err := deploy.Run(ctx, inv, e, hosts, deploy.Options{KeepGoing: true, Nix: nix.Local(),
				ConfirmTimeout: 10 * time.Second, Out: clock, Progress: parallel.ProgressPlain})
			d := time.Since(start)
			clock.end(time.Now())
			if err != nil || res.Report.Failed() > 0 {
				t.Fatalf("deploy %d hosts: %v %v\n%s", len(hosts), err, res.Report.Err(), out.String())
			}
			return d
		}
		// Rounds, each a deploy all and then every host alone, and medians over them: one
		// single-host deploy that happens to meet the machine's background (a 1.9 s outlier
		// against 1.2 s seen here) would otherwise become "the slowest single" and flatter the
		// ratio, and one slow deploy all would spoil it.
		type sample struct {
			all            time.Duration
			busy, machine  float64
			split0, split1 map[string]float64
		}
		var samples []sample
		single := map[string][]time.Duration{}
		var serials []time.Duration
		for r := 0; r < rounds(t); r++ {
			busy0, total0 := cpuTicks(t)
			split0 := cpuSplit(t, lf)
			all := run(inv.Hosts, &phasesAll)
			busy1, total1 := cpuTicks(t)
			split1 := cpuSplit(t, lf)
			samples = append(samples, sample{all: all, busy: float64(busy1-busy0) / float64(total1-total0),
				machine: float64(busy1-busy0) / clockTicks, split0: split0, split1: split1})
			var slowest, serial time.Duration
			for _, h := range inv.Hosts {
				d := run([]*inventory.Host{h}, &phasesSingle)
				single[h.Name] = append(single[h.Name], d)
				slowest = max(slowest, d)
				serial += d
			}
			serials = append(serials, serial)
			t.Logf("%d hosts, round %d: deploy all %.2fs; slowest single-host deploy %.2fs (ratio %.2f); sequential loop %.2fs; CPU %.2f s",
				n, r+1, all.Seconds(), slowest.Seconds(), all.Seconds()/slowest.Seconds(), serial.Seconds(), samples[r].machine)
		}
		var alls []time.Duration
		for _, s := range samples {
			alls = append(alls, s.all)
		}
		all := median(alls)
		var slowest time.Duration
		slowestHost := ""
		for _, h := range inv.Hosts {
			if m := median(single[h.Name]); m > slowest {
				slowest, slowestHost = m, h.Name
			}
		}
		serial := median(serials)
		t.Logf("%d hosts, medians of %d rounds: deploy all %.2fs; slowest single-host deploy %.2fs (%s, its median); ratio %.2f (goal ≤ 1.3); sequential loop %.2fs (%.1fx the parallel deploy)",
			n, len(samples), all.Seconds(), slowest.Seconds(), slowestHost, all.Seconds()/slowest.Seconds(), serial.Seconds(), serial.Seconds()/all.Seconds())
		// The CPU figures are the round whose deploy all took the median time.
		mid := samples[0]
		for _, s := range samples {
			if s.all == all {
				mid = s
			}
		}
		t.Logf("  the machine's CPUs were %.0f%% busy during the %d-host deploy (/proc/stat, the median round)", 100*mid.busy, n)
		t.Logf("  CPU time during the %d-host deploy: %.2f s in all (%.2f s of wall time × 2 cores = %.2f s)", n, mid.machine, all.Seconds(), 2*all.Seconds())
		for _, c := range []string{"hub", "hub's children", "hosts"} {
			d := mid.split1[c] - mid.split0[c]
			t.Logf("    %-15s %5.2f s (%2.0f%%)", c, d, 100*d/mid.machine)
		}
		for _, p := range phasesAll.order {
			t.Logf("  phase %-8s mean per host: %6.3fs in the %d-host deploy, %6.3fs deployed alone (%.1fx)",
				p, phasesAll.mean(p).Seconds(), n, phasesSingle.mean(p).Seconds(), phasesAll.mean(p).Seconds()/phasesSingle.mean(p).Seconds())
		}
		if err := lf.Down(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// rounds is how many times the benchmark deploys all hosts and then each alone: 3, or
// HUB_DEPLOYBENCH_ROUNDS.
func rounds(t *testing.T) int {
	v := os.Getenv("HUB_DEPLOYBENCH_ROUNDS")
	if v == "" {
		return 3
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("HUB_DEPLOYBENCH_ROUNDS=%q: want a whole number of rounds, at least 1", v)
	}
	return n
}

// median is the middle of ds (the upper middle of an even count).
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// phaseTimes collects how long each phase took, per host and phase, across runs.
type phaseTimes struct {
	order []string
	sum   map[string]time.Duration
	n     map[string]int
}

func (pt *phaseTimes) add(phase string, d time.Duration) {
	if pt.sum == nil {
		pt.sum, pt.n = map[string]time.Duration{}, map[string]int{}
	}
	if _, ok := pt.sum[phase]; !ok {
		pt.order = append(pt.order, phase)
	}
	pt.sum[phase] += d
	pt.n[phase]++
}

func (pt *phaseTimes) mean(phase string) time.Duration {
	if pt.n[phase] == 0 {
		return 0
	}
	return pt.sum[phase] / time.Duration(pt.n[phase])
}

// phaseClock times the "HOST : phase NAME" lines of the plain progress output as they arrive:
// a phase lasts until the host's next phase or the end of the run.
type phaseClock struct {
	w       *bytes.Buffer
	partial []byte
	start   map[string]time.Time
	cur     map[string]string
	times   *phaseTimes
}

func (c *phaseClock) Write(b []byte) (int, error) {
	now := time.Now()
	c.w.Write(b)
	c.partial = append(c.partial, b...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			break
		}
		line := string(c.partial[:i])
		c.partial = c.partial[i+1:]
		host, rest, ok := strings.Cut(line, " : ")
		host = strings.TrimSpace(host)
		if !ok {
			continue
		}
		if phase, ok := strings.CutPrefix(rest, "phase "); ok {
			c.finish(host, now)
			c.cur[host], c.start[host] = phase, now
		} else {
			c.finish(host, now) // "ok in ...", "failed in ...": the host is done
		}
	}
	return len(b), nil
}

func (c *phaseClock) finish(host string, now time.Time) {
	if p := c.cur[host]; p != "" {
		c.times.add(p, now.Sub(c.start[host]))
		delete(c.cur, host)
	}
}

func (c *phaseClock) end(now time.Time) {
	for host := range c.cur {
		c.finish(host, now)
	}
}

// clockTicks is USER_HZ, the unit of /proc's CPU times (100 on every Linux architecture Go
// supports).
const clockTicks = 100

// cpuSplit is the CPU time (seconds) used so far by the hub's own process (its Go code: the
// engine, the progress), by the processes it ran and waited for (nix eval, build and copy, the
// ssh clients), and by the local hosts (every process in each host's pid namespace, with the
// children it reaped: sshd sessions, nix-store --serve, supervisors, activations). Detached ssh
// masters are in none of them (they are reparented before they exit).
func cpuSplit(t *testing.T, lf *localfleet.Fleet) map[string]float64 {
	t.Helper()
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	sec := func(r syscall.Rusage) float64 {
		return float64(r.Utime.Sec+r.Stime.Sec) + float64(r.Utime.Usec+r.Stime.Usec)/1e6
	}
	out := map[string]float64{"hub": sec(self), "hub's children": sec(kids)}
	ns := map[string]bool{}
	for _, h := range lf.Hosts() {
		if l, err := os.Readlink("/proc/" + strconv.Itoa(h.Init) + "/ns/pid"); err == nil {
			ns[l] = true
		}
	}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		l, err := os.Readlink("/proc/" + e.Name() + "/ns/pid")
		if err != nil || !ns[l] {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// Fields after the ")" that ends comm: state is the 1st, utime the 12th ... cstime the 15th.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		for _, v := range f[11:15] {
			n, _ := strconv.ParseUint(v, 10, 64)
			out["hosts"] += float64(n) / clockTicks
		}
	}
	return out
}

// cpuTicks reads the machine's busy and total CPU time from /proc/stat's first line.
func cpuTicks(t *testing.T) (busy, total uint64) {
	t.Helper()
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	for i, f := range strings.Fields(line)[1:] {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			t.Fatalf("/proc/stat: %v", err)
		}
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total
}
