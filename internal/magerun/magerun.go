// Package magerun is the hub's `go tool mage`: mage itself (github.com/magefile/mage/mage) with
// two things added in front of it.
//
// One compile at a time per magefiles directory. Mage writes its generated main into the
// magefiles directory (magefiles/mage_output_file.go, a fixed name it has no option to move),
// compiles, and removes the file; and because GOCACHE is set it does so on every run. Two runs
// started together remove each other's file (`open ./mage_output_file.go: no such file or
// directory`), and `go vet` of the directory sees a half-written one. Run holds an exclusive
// flock on the magefiles directory from writing that file to removing it, compiles into a
// private temporary binary, releases the lock, and runs that binary: runs wait only for each
// other's compile, never for each other's targets, and no run replaces a binary another is
// executing. checks.vet takes the same lock, so vet never sees the generated file.
//
// Arguments checked before compiling: a mistyped target, a missing or extra argument, a flag
// before the positionals, with two dashes or unknown gets one line from targetdocs.CheckArgs
// (exit 2). Only `go tool mage` checks them: a binary compiled with -compile (the nix package,
// fleettest.Mage) is mage's generated main alone, with mage's own messages.
package magerun

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"syscall"

	"github.com/magefile/mage/mage"

	"github.com/nixos-hub/hub/internal/targetdocs"
)

// Run runs mage with args (without the program name) and returns its exit status.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	inv, cmd, err := mage.Parse(io.Discard, io.Discard, args)
	if err != nil || inv.List || inv.Help || inv.Autocomplete ||
		(cmd != mage.None && cmd != mage.CompileStatic) {
		// Nothing here writes the generated main (or the flags do not parse, -h included):
		// mage as it is, with its own messages.
		return mage.ParseAndRun(stdout, stderr, stdin, args)
	}
	inv.Stdin, inv.Stdout, inv.Stderr = stdin, stdout, stderr
	errlog := log.New(stderr, "", 0)
	dir := magefilesDir(inv.Dir)
	unlock, err := Lock(dir)
	if err != nil {
		errlog.Println("Error:", err)
		return 1
	}
	if cmd == mage.None && len(inv.Args) > 0 {
		ts, err := targetdocs.Targets(dir)
		if err == nil {
			err = targetdocs.CheckArgs(ts, inv.Args)
		}
		if err != nil {
			unlock()
			errlog.Println("Error:", err)
			return 2
		}
	}
	if cmd == mage.CompileStatic {
		defer unlock()
		return mage.Invoke(inv)
	}
	tmp, err := os.MkdirTemp("", "hub-mage-")
	if err != nil {
		unlock()
		errlog.Println("Error:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	// Named "mage" so the compiled main's usage lines say mage, as mage's own cached binary does.
	exe := filepath.Join(tmp, "mage")
	compile := inv
	compile.CompileOut = exe
	code := mage.Invoke(compile)
	unlock()
	if code != 0 {
		return code
	}
	if inv.WorkDir == "" {
		inv.WorkDir = inv.Dir
	}
	if inv.WorkDir == "" {
		inv.WorkDir = "."
	}
	return mage.RunCompiled(inv, exe, errlog)
}

// magefilesDir is the directory mage reads the magefiles from: dir (default the current one),
// or its magefiles/ subdirectory when there is one, as mage.Invoke decides.
func magefilesDir(dir string) string {
	if dir == "" {
		dir = "."
	}
	sub := filepath.Join(dir, mage.MagefilesDirName)
	if st, err := os.Stat(sub); err == nil && st.IsDir() {
		return sub
	}
	return dir
}

// Lock takes the exclusive flock on the magefiles directory dir that every compile of it holds
// (across processes; the kernel drops it when a holder dies), waiting for the holder, and
// returns its release.
func Lock(dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return func() { f.Close() }, nil
}
