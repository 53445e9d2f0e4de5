// Package piddir makes private directories that belong to one process, and removes those whose
// process is gone: what a run leaves behind when it is killed (SIGKILL, a crash, a power cut of
// its terminal) before its own cleanup could run. The hub keeps its ssh control sockets
// (internal/command) and a secret's plaintext while it is edited (internal/secrets) in such directories.
//
// Make creates one, named <prefix><pid>-<random>; Sweep removes the ones of dead pids. A pid
// that was reused by another process only delays its directory's removal to a later sweep.
//
// Entry points: [Make] creates a directory, [Sweep] removes the dead ones, with [Owner] and
// [Alive] to tell which.
package piddir

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Make creates root/<prefix><this pid>-<random>, mode 0700.
func Make(root, prefix string) (string, error) {
	return os.MkdirTemp(root, prefix+strconv.Itoa(os.Getpid())+"-")
}

// Sweep removes every root/<prefix><pid>-* directory whose pid no longer runs, calling before
// (when not nil) with each one first, so that what lives there can be stopped.
func Sweep(root, prefix string, before func(dir string)) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, d := range ents {
		pid, ok := Owner(d.Name(), prefix)
		if !ok || !d.IsDir() || Alive(pid) {
			continue
		}
		dir := filepath.Join(root, d.Name())
		if before != nil {
			before(dir)
		}
		_ = os.RemoveAll(dir)
	}
}

// Owner reads the pid out of a name Make gave: <prefix><pid>-<random>.
func Owner(name, prefix string) (int, bool) {
	rest, ok := strings.CutPrefix(name, prefix)
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

// Alive reports whether pid names a process on this machine (EPERM: one that is not ours,
// still alive).
func Alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}
