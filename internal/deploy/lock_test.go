package deploy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/parallel"
)

// A hub that crashed (SIGKILL, power loss of the laptop) leaves its lock on the host. When the
// lock names this machine and a process that no longer exists, and no supervisor runs on the
// host, its holder is provably gone and the next deploy breaks the lock at once instead of
// refusing for 15 minutes. A live holder, or one on another machine, keeps it.
func TestLockOfAGoneHubIsBrokenAtOnce(t *testing.T) {
	f := startFleet(t, []string{"p620"})
	h, err := f.lf.Host("p620")
	if err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(h.Dir, "run", "hub-deploy.lock")
	plant := func(owner string, pid int, age time.Duration) {
		t.Helper()
		if err := os.MkdirAll(lock, 0o755); err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf("id=20260101T000000Z-dead00\nowner=%s\npid=%d\ntime=%d\n", owner, pid, time.Now().Add(-age).Unix())
		if err := os.WriteFile(filepath.Join(lock, "owner"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	live := exec.Command("sleep", "300")
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = live.Process.Kill(); _ = live.Wait() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	for _, tc := range []struct {
		name  string
		owner string
		pid   int
		age   time.Duration
		force bool
		want  string // "" for a deploy that goes through
	}{
		{"crashed hub on this machine", Owner(), dead.Process.Pid, 0, false, ""},
		{"live hub on this machine", Owner(), live.Process.Pid, 0, false, "another deploy holds the host's lock: " + Owner()},
		{"hub on another machine", "root@elsewhere", dead.Process.Pid, 0, false, "another deploy holds the host's lock: root@elsewhere"},
		// The age is the target's: a lock it wrote 20 minutes ago is stale for -force.
		{"stale lock of another machine with -force", "root@elsewhere", dead.Process.Pid, 20 * time.Minute, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plant(tc.owner, tc.pid, tc.age)
			defer os.RemoveAll(lock)
			f.next(t, localfleet.Variant{}, "p620")
			res, out := f.deploy(t, ctx, "p620", func(o *Options, _ []*inventory.Host) { o.Force = tc.force })
			hr := hostResult(t, res.Report, "p620")
			if tc.want == "" {
				if hr.Status != parallel.StatusOK {
					t.Fatalf("%s (%v), want the lock broken and the deploy done\n%s", hr.Status, hr.Err, out)
				}
				if !strings.Contains(out, "broke ") {
					t.Errorf("the output does not say the lock was broken:\n%s", out)
				}
				return
			}
			if hr.Status != parallel.StatusFailed || hr.Err == nil || !strings.Contains(hr.Err.Error(), tc.want) {
				t.Fatalf("%s (%v), want refused with %q\n%s", hr.Status, hr.Err, tc.want, out)
			}
		})
	}
}

// The boot space check rides on the lock's round trip: a /boot with less free space than asked
// refuses with exit 5 before the lock is taken, and says what it has. (mountpoint and df are
// shims: this machine's /boot is not the point; the lock itself is not reached.)
func TestLockScriptRefusesAFullBoot(t *testing.T) {
	for _, tc := range []struct{ name, df, want string }{
		{"too little space", "echo '   Avail'; echo '    100'", "boot_free=100\n"},
		{"unreadable df", "echo 'df: /boot: No such device'", "boot_free=df: /boot: No such device\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin := t.TempDir()
			for name, body := range map[string]string{"mountpoint": "exit 0", "df": tc.df} {
				if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command("sh", "-c", lockScript, "lock", "20260101T000000Z-test00", "root@test", "1", "-", "900", "0", "", "200")
			cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
			out, err := cmd.Output()
			var xe *exec.ExitError
			if !errors.As(err, &xe) || xe.ExitCode() != 5 || string(out) != tc.want {
				t.Errorf("exit %v, output %q; want exit 5, %q", err, out, tc.want)
			}
		})
	}
}
