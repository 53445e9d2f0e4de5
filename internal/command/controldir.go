package command

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/nixos-hub/hub/internal/piddir"
)

// Every executor keeps its ssh control sockets in a private dir of its own run (internal/piddir), in
// /tmp rather than os.TempDir(): socket paths are limited to 108 bytes.
const (
	controlRoot   = "/tmp"
	controlPrefix = "hub-ssh-"
)

// sweepControlDirs removes the control dirs of runs that ended without Close (SIGKILL, a
// crash, a cut-off): their masters are told to exit first, as ControlPersist would keep each
// for another two minutes.
func sweepControlDirs() {
	piddir.Sweep(controlRoot, controlPrefix, func(dir string) {
		socks, _ := os.ReadDir(dir)
		for _, s := range socks {
			if s.Type()&os.ModeSocket != 0 {
				stopMaster(filepath.Join(dir, s.Name()))
			}
		}
	})
}

// stopMaster asks the master listening on sock to exit. With ControlPath given, ssh talks to
// the socket and never resolves the destination, so any name does for it.
func stopMaster(sock string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = exec.CommandContext(ctx, "ssh", "-o", "ControlPath="+sock, "-O", "exit", "hub-stale-master").Run()
}
