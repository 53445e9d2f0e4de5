package piddir

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestSweepRemovesOnlyDeadOwners(t *testing.T) {
	root := t.TempDir()
	// A pid that certainly ran and is gone: a child that exited and was reaped.
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(root, "hub-x-"+strconv.Itoa(c.Process.Pid)+"-123")
	live, err := Make(root, "hub-x-")
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(root, "hub-y-"+strconv.Itoa(c.Process.Pid)+"-1") // another prefix
	odd := filepath.Join(root, "hub-x-notapid")
	for _, d := range []string{dead, other, odd} {
		if err := os.MkdirAll(filepath.Join(d, "sub"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	var stopped []string
	Sweep(root, "hub-x-", func(dir string) { stopped = append(stopped, dir) })
	if len(stopped) != 1 || stopped[0] != dead {
		t.Errorf("before called for %v, want only %s", stopped, dead)
	}
	for d, want := range map[string]bool{dead: false, live: true, other: true, odd: true} {
		_, err := os.Stat(d)
		if got := err == nil; got != want {
			t.Errorf("%s exists = %v, want %v", d, got, want)
		}
	}
	if st, _ := os.Stat(live); st.Mode().Perm() != 0o700 {
		t.Errorf("Make's mode = %v, want 0700", st.Mode().Perm())
	}
}
