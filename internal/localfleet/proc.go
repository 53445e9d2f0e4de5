package localfleet

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// proc describes one live process as /proc shows it.
type proc struct {
	pid   int
	ppid  int
	state byte   // R, S, T (stopped), Z (zombie), ...
	start uint64 // start time in clock ticks since boot: with pid, identifies the process
	nspid []int  // pid in each nested pid namespace, outermost first
	cmd   string // argv[0]
}

// readProc reads /proc/<pid>; ok is false when the process is gone.
func readProc(pid int) (proc, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return proc{}, false
	}
	// comm may hold spaces and parentheses: the fields after it start after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return proc{}, false
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 20 {
		return proc{}, false
	}
	p := proc{pid: pid, state: fields[0][0]}
	p.ppid, _ = strconv.Atoi(fields[1])
	p.start, _ = strconv.ParseUint(fields[19], 10, 64)
	if st, err := os.Open(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		sc := bufio.NewScanner(st)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "NSpid:"); ok {
				for _, f := range strings.Fields(rest) {
					n, _ := strconv.Atoi(f)
					p.nspid = append(p.nspid, n)
				}
			}
		}
		st.Close()
	}
	if c, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil {
		p.cmd, _, _ = strings.Cut(string(c), "\x00")
	}
	return p, true
}

// alive reports whether pid is the process that started at start and has not exited. A zombie
// counts as gone: it holds no namespace, mount or socket any more, and it is reaped by its
// parent (or, when the parent died, by pid 1, which does not always do so).
func alive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	p, ok := readProc(pid)
	return ok && p.start == start && p.state != 'Z'
}

// nsOf is the namespace link of pid, e.g. "pid:[4026532301]"; empty when unreadable.
func nsOf(pid int, kind string) string {
	s, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, kind))
	if err != nil {
		return ""
	}
	return s
}

// bootTicks is now in the clock ticks since boot (USER_HZ, 100 on Linux) that process start
// times use; 0 when /proc/uptime cannot be read.
func bootTicks() uint64 {
	b, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return 0
	}
	var up float64
	if _, err := fmt.Sscan(string(b), &up); err != nil {
		return 0
	}
	return uint64(up * 100)
}

// startedBy keeps the processes that started no later than ticks: the kernel reuses a
// namespace's id once it is gone, and a process started afterwards in a namespace with that id
// belongs to someone else (another fleet), never to the host being torn down.
func startedBy(procs []proc, ticks uint64) []proc {
	var out []proc
	for _, p := range procs {
		if p.start <= ticks {
			out = append(out, p)
		}
	}
	return out
}

// inNamespace lists the live processes whose namespace of that kind is ns.
func inNamespace(kind, ns string) []proc {
	if ns == "" {
		return nil
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if nsOf(pid, kind) != ns {
			continue
		}
		if p, ok := readProc(pid); ok && p.state != 'Z' {
			out = append(out, p)
		}
	}
	return out
}

// children lists the live children of pid.
func children(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// descendants lists the live descendants of pid, parents before their children.
func descendants(pid int) []proc {
	var out []proc
	queue := []int{pid}
	for len(queue) > 0 {
		for _, c := range children(queue[0]) {
			if p, ok := readProc(c); ok {
				out = append(out, p)
				queue = append(queue, c)
			}
		}
		queue = queue[1:]
	}
	return out
}

// signal sends sig to pid only if it is still the process that started at start.
func signal(pid int, start uint64, sig syscall.Signal) error {
	if !alive(pid, start) {
		return nil
	}
	if err := syscall.Kill(pid, sig); err != nil && err != syscall.ESRCH {
		return fmt.Errorf("signal %v to pid %d: %w", sig, pid, err)
	}
	return nil
}

// mountsUnder lists the mount points of this process's mount namespace below dir.
func mountsUnder(dir string) ([]string, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		if mp := f[4]; mp == dir || strings.HasPrefix(mp, dir+"/") {
			out = append(out, mp)
		}
	}
	return out, nil
}
