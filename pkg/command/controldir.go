package command

import (
	"context"

	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// controlRoot holds the executors' private control dirs, one per run, named for the pid that
// made it (controlPrefix) so that a later run can tell a dead run's dir from a live one's.
const controlRoot = "/tmp"

func controlPrefix(pid int) string { return "hub-ssh-" + strconv.Itoa(pid) + "-" }

// sweepControlDirs removes the control dirs of runs that ended without Close (SIGKILL, a
// crash, a cut-off): their masters are told to exit (ControlPersist would keep each for
// another two minutes) and the dir goes. A dir whose pid still runs is left alone; a reused pid
// only delays the sweep of its dir to a later run.
func sweepControlDirs(root string) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, d := range ents {
		pid, ok := controlDirPID(d.Name())
		if !ok || !d.IsDir() || alive(pid) {
			continue
		}
		dir := filepath.Join(root, d.Name())
		socks, _ := os.ReadDir(dir)
		for _, s := range socks {
			if s.Type()&os.ModeSocket != 0 {
				stopMaster(filepath.Join(dir, s.Name()))
			}
		}
		_ = os.RemoveAll(dir)
	}
}

// controlDirPID reads the pid out of a name controlPrefix made: hub-ssh-<pid>-<random>.
func controlDirPID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "hub-ssh-")
	if !ok {
		return 0, false
	}
	p, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(p)
	return pid, err == nil && pid > 0
}

// alive reports whether pid names a process (EPERM: one that is not ours, still alive).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

// stopMaster asks the master listening on sock to exit. With ControlPath given, the
// destination is only a placeholder: ssh talks to the socket and never resolves it.
func stopMaster(sock string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = exec.CommandContext(ctx, "ssh", "-o", "ControlPath="+sock, "-O", "exit", "hub-stale-master").Run()
}
