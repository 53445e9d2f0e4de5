package deploy

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// supervisorRun runs supervise.sh on this machine in a temporary directory, with shims (small
// shell scripts) ahead of PATH and a fake system whose switch-to-configuration runs stc.
type supervisorRun struct {
	dir, out string
	cmd      *exec.Cmd
}

func startSupervisor(t *testing.T, stc string, shims map[string]string, args ...string) *supervisorRun {
	t.Helper()
	return startSupervisorScript(t, superviseScript, "", stc, shims, args...)
}

// startSupervisorScript runs a given version of the script in dir ("" for a temporary one).
func startSupervisorScript(t *testing.T, supervise, dir, stc string, shims map[string]string, args ...string) *supervisorRun {
	t.Helper()
	return startSupervisorShell(t, "sh", supervise, dir, stc, shims, args...)
}

// startSupervisorShell runs the script with the given shell (sh is dash on Debian, bash on NixOS).
func startSupervisorShell(t *testing.T, shell, supervise, dir, stc string, shims map[string]string, args ...string) *supervisorRun {
	t.Helper()
	if _, err := os.Stat("/proc/uptime"); err != nil {
		t.Skip("needs Linux /proc/uptime")
	}
	tmp := t.TempDir()
	if dir == "" {
		dir = filepath.Join(tmp, "state")
	}
	out := filepath.Join(tmp, "system")
	bin := filepath.Join(tmp, "shims")
	for _, d := range []string{dir, filepath.Join(out, "bin"), bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, body string) {
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(out, "bin", "switch-to-configuration"), stc)
	for name, body := range shims {
		write(filepath.Join(bin, name), body)
	}
	script := filepath.Join(tmp, "supervise.sh")
	if err := os.WriteFile(script, []byte(supervise), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(shell, append([]string{script, dir, args[0], out}, args[1:]...)...)
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return &supervisorRun{dir: dir, out: out, cmd: cmd}
}

func (s *supervisorRun) file(name string) (string, bool) {
	b, err := os.ReadFile(filepath.Join(s.dir, name))
	return strings.TrimSpace(string(b)), err == nil
}

// waitDone waits for the supervisor to exit and returns how long that took.
func (s *supervisorRun) waitDone(t *testing.T, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(within):
		_ = s.cmd.Process.Kill()
		<-exited
		t.Fatalf("the supervisor did not finish within %s", within)
	}
	return time.Since(start)
}

// TestSupervisorDeadlineUnderLoad: the watchdog's confirm deadline is a time, not a number of
// loop turns. On a loaded host each `sleep 0.1` (a fork and exec) takes far longer than 0.1 s;
// counting turns stretched a 1 s deadline here to 5 s, past every allowance the hub makes.
func TestSupervisorDeadlineUnderLoad(t *testing.T) {
	// Every process is slow: the polling fallback's sleep and the timeout the watchdog pauses in.
	timeout, err := exec.LookPath("timeout")
	if err != nil {
		t.Skip("no timeout(1) here")
	}
	slow := map[string]string{"sleep": "exec /bin/sleep 0.5", "timeout": "/bin/sleep 0.5; exec " + timeout + ` "$@"`}
	s := startSupervisor(t, "exit 0", slow, "test", "none", "1", "1", "1")
	took := s.waitDone(t, 20*time.Second)
	if r, _ := s.file("result"); r != "rolled-back" {
		t.Fatalf("result %q, want rolled-back", r)
	}
	if took > 3*time.Second {
		t.Errorf("a 1 s confirm deadline rolled back after %s", took.Round(100*time.Millisecond))
	}
}

// TestSupervisorCommits walks both stages of the watchdog: confirm, acknowledgement, commit.
func TestSupervisorCommits(t *testing.T) {
	s := startSupervisor(t, "exit 0", nil, "test", "none", "1", "5", "5")
	touch := func(name string) {
		if err := os.WriteFile(filepath.Join(s.dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	waitFile := func(name string) {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if _, ok := s.file(name); ok {
				return
			}
		}
		t.Fatalf("no %s file", name)
	}
	waitFile("status")
	touch("confirm")
	waitFile("confirmed")
	touch("commit")
	s.waitDone(t, 5*time.Second)
	if r, _ := s.file("result"); r != "committed" {
		t.Fatalf("result %q, want committed", r)
	}
}

// TestSupervisorFallBackResultBeforeStatus: the hub stops waiting as soon as "status" exists and
// then reads "result" to tell a boot fallback from a switch. The result must be there first, or
// a host that correctly fell back to boot goes through the confirm stage and is reported failed.
func TestSupervisorFallBackResultBeforeStatus(t *testing.T) {
	// NixOS checks the inhibitors for switch and test alike.
	stc := `if [ "$1" = switch ] || [ "$1" = test ]; then echo "The following units are listed as switch inhibitors: dbus.service"; exit 1; fi; exit 0`
	// A slow mv widens the window between the files as a loaded host would.
	mv := `case $2 in status|result) /bin/sleep 0.3 ;; esac; exec /bin/mv "$@"`
	s := startSupervisor(t, stc, map[string]string{"mv": mv}, "switch", "none", "1", "5", "5")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no status file")
		}
		if _, ok := s.file("status"); ok {
			break
		}
	}
	if _, ok := s.file("fell-back"); !ok {
		t.Fatal("no fell-back file")
	}
	if r, ok := s.file("result"); !ok || r != "boot" {
		t.Errorf("status is written but result is %q (present %t): the hub would take the fallback for a live switch", r, ok)
	}
	s.waitDone(t, 5*time.Second)
}

// TestUnlockWhileSupervisorRuns: when the hub stops waiting (Ctrl-C during a long activation, or
// its wait for the rollback timed out) its supervisor may still be activating or rolling back.
// Releasing the lock then would let a second deploy start on a host that is mid-activation: the
// lock is handed to the supervisor, which removes it when it ends.
func TestUnlockWhileSupervisorRuns(t *testing.T) {
	tmp := t.TempDir()
	root := filepath.Join(tmp, "hub-deploy")
	local := func(s string) string { return strings.ReplaceAll(s, "/run/hub-deploy", root) }
	const id = "20250101T000000Z-abcdef"
	lock := root + ".lock"
	if err := os.MkdirAll(lock, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lock, "owner"), []byte("id="+id+"\nowner=me@hub\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startSupervisorScript(t, local(superviseScript), filepath.Join(root, id), "exit 0", nil, "test", "none", "1", "2", "2")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no status file")
		}
		if _, ok := s.file("status"); ok {
			break
		}
	}
	out, err := exec.Command("sh", "-c", local(unlockScript), "unlock", id).CombinedOutput()
	if err != nil {
		t.Fatalf("unlock: %v: %s", err, out)
	}
	if _, err := os.Stat(lock); err != nil {
		t.Fatalf("the lock was removed while the supervisor still runs (%v)", err)
	}
	if !strings.Contains(string(out), "handed-over") {
		t.Errorf("unlock printed %q, want handed-over", out)
	}
	s.waitDone(t, 10*time.Second)
	if _, err := os.Stat(lock); !os.IsNotExist(err) {
		t.Errorf("the supervisor ended but the handed-over lock is still there (%v)", err)
	}
	// Without a running supervisor the lock goes at once.
	if err := os.MkdirAll(lock, 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(lock, "owner"), []byte("id="+id+"\n"), 0o644)
	if out, err := exec.Command("sh", "-c", local(unlockScript), "unlock", id).CombinedOutput(); err != nil || strings.Contains(string(out), "handed-over") {
		t.Fatalf("unlock after the supervisor ended: %v %q", err, out)
	}
	if _, err := os.Stat(lock); !os.IsNotExist(err) {
		t.Errorf("the lock is still there after the supervisor ended (%v)", err)
	}
}

// TestStartRefusesTruncatedSupervisor: when the hub's ssh connection dies during the upload
// (Ctrl-C, a dropped link), cat sees end of file and succeeds with part of the script. Started,
// a prefix can activate the system and end before the watchdog loops: no confirm, no rollback.
func TestStartRefusesTruncatedSupervisor(t *testing.T) {
	tmp := t.TempDir()
	root := filepath.Join(tmp, "hub-deploy")
	script := strings.ReplaceAll(startScript, "/run/hub-deploy", root)
	script = strings.ReplaceAll(script, "/run/systemd/system", filepath.Join(tmp, "no-systemd"))
	cut := strings.Index(superviseScript, "# Stage 1")
	cmd := exec.Command("sh", "-c", script, "start", "id1", "switch", filepath.Join(tmp, "system"), "none", "1", "1", "1")
	cmd.Stdin = strings.NewReader(superviseScript[:cut])
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Errorf("a truncated supervisor was accepted: %s", out)
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := os.Stat(filepath.Join(root, "id1", "pid")); err == nil {
		t.Errorf("a truncated supervisor was started")
	}
	// The whole script starts (and, with no system to activate, ends at once).
	cmd = exec.Command("sh", "-c", script, "start", "id2", "switch", filepath.Join(tmp, "system"), "none", "0", "1", "1")
	cmd.Stdin = strings.NewReader(superviseScript)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the whole supervisor was refused: %v: %s", err, out)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(root, "id2", "done")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the whole supervisor did not run")
		}
	}
}

// calls runs a guarded switch whose switch-to-configuration and nix-env record their arguments,
// and returns a function reading what ran so far, one call a line.
func guardedSwitch(t *testing.T, stc string) (*supervisorRun, func() string) {
	t.Helper()
	log := filepath.Join(t.TempDir(), "calls")
	rec := `echo "$(basename "$0") $*" >> ` + log + "\n"
	s := startSupervisor(t, rec+stc, map[string]string{"nix-env": rec + "exit 0"}, "switch", "set", "1", "5", "5")
	return s, func() string {
		b, _ := os.ReadFile(log)
		return strings.ReplaceAll(string(b), s.out, "NEW")
	}
}

func (s *supervisorRun) waitFile(t *testing.T, name string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, ok := s.file(name); ok {
			return
		}
	}
	t.Fatalf("no %s file", name)
}

func (s *supervisorRun) touch(t *testing.T, name string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(s.dir, name), nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A guarded switch activates with test and leaves profile and boot entry to the commit, so a
// reboot before the commit boots the previous system.
func TestSupervisorGuardedSwitchDefersBootDefault(t *testing.T) {
	s, calls := guardedSwitch(t, "exit 0")
	s.waitFile(t, "status")
	s.touch(t, "confirm")
	s.waitFile(t, "confirmed")
	if got := calls(); got != "switch-to-configuration test\n" {
		t.Fatalf("before the commit ran:\n%s\nwant only switch-to-configuration test: profile and boot entry must wait for the commit", got)
	}
	s.touch(t, "commit")
	s.waitDone(t, 5*time.Second)
	if r, _ := s.file("result"); r != "committed" {
		t.Fatalf("result %q, want committed", r)
	}
	want := "switch-to-configuration test\nnix-env -p /nix/var/nix/profiles/system --set NEW\nswitch-to-configuration boot\n"
	if got := calls(); got != want {
		t.Errorf("ran:\n%s\nwant:\n%s", got, want)
	}
}

// A guarded switch rolled back before its commit never touched profile or boot entry.
func TestSupervisorGuardedSwitchRollbackTouchesNoBootDefault(t *testing.T) {
	s, calls := guardedSwitch(t, "exit 0")
	s.waitFile(t, "status")
	if err := os.WriteFile(filepath.Join(s.dir, "rollback"), []byte("health check failed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.waitDone(t, 5*time.Second)
	if r, _ := s.file("result"); r != "rolled-back" {
		t.Fatalf("result %q, want rolled-back", r)
	}
	if got := calls(); strings.Contains(got, "nix-env") || strings.Contains(got, " boot") {
		t.Errorf("a rollback before the commit changed the boot default:\n%s", got)
	}
}

// A commit that cannot write the boot entry rolls back rather than leave the host running one
// system and booting another, and says why.
func TestSupervisorCommitFailureRollsBack(t *testing.T) {
	s, calls := guardedSwitch(t, `[ "$1" = boot ] && exit 1; exit 0`)
	s.waitFile(t, "status")
	s.touch(t, "confirm")
	s.waitFile(t, "confirmed")
	s.touch(t, "commit")
	s.waitDone(t, 5*time.Second)
	if r, _ := s.file("result"); r != "rolled-back" {
		t.Fatalf("result %q, want rolled-back", r)
	}
	if why, _ := s.file("rolled-back"); why != "committing: switch-to-configuration boot exited 1" {
		t.Errorf("rolled-back %q", why)
	}
	if got := calls(); !strings.Contains(got, "nix-env -p /nix/var/nix/profiles/system --set NEW\nswitch-to-configuration boot\n") {
		t.Errorf("ran:\n%s", got)
	}
}

// Every deploy leaves its directory under /run/hub-deploy (about 45 KiB of logs and state): the
// start of the next one keeps the ten newest finished ones and every unfinished one.
func TestStartPrunesOldFinishedDeploys(t *testing.T) {
	tmp := t.TempDir()
	root := filepath.Join(tmp, "hub-deploy")
	script := strings.ReplaceAll(startScript, "/run/hub-deploy", root)
	script = strings.ReplaceAll(script, "/run/systemd/system", filepath.Join(tmp, "no-systemd"))
	now := time.Now()
	mk := func(name string, age time.Duration, done bool) {
		d := filepath.Join(root, name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if done {
			os.WriteFile(filepath.Join(d, "done"), nil, 0o644)
		}
		os.Chtimes(d, now.Add(-age), now.Add(-age))
	}
	for i := 1; i <= 12; i++ {
		mk(fmt.Sprintf("finished-%02d", i), time.Duration(i)*time.Minute, true)
	}
	mk("unfinished-old-1", time.Hour, false)
	mk("unfinished-old-2", 2*time.Hour, false)
	cmd := exec.Command("sh", "-c", script, "start", "new", "switch", filepath.Join(tmp, "system"), "none", "0", "1", "1")
	cmd.Stdin = strings.NewReader(superviseScript)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("start: %v: %s", err, out)
	}
	entries, _ := os.ReadDir(root)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"finished-01", "finished-02", "finished-03", "finished-04", "finished-05", "finished-06",
		"finished-07", "finished-08", "finished-09", "finished-10", "new", "unfinished-old-1", "unfinished-old-2"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("after the start:\n%s\nwant\n%s", strings.Join(names, " "), strings.Join(want, " "))
	}
	// The supervisor the start launched (detached) goes on writing into new/ until it is done:
	// let it finish before the temporary directory is removed under it.
	waitUntil(t, 20*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(root, "new", "done"))
		return err == nil
	})
}

// TestSupervisorAndWaitWakeEachOther: the watchdog and the hub's waits block on fifos between
// their looks at the files instead of polling, and wake each other when a file appears
// (pause.sh). Under dash neither side can wake by itself here: `timeout` blocks with no limit and
// `sleep` (the polling fallback) takes 30 s, so the guarded switch goes through confirm and
// commit within the test's bound only if every signal (wait.sh writing confirm and commit) and
// every answer (the supervisor's status, confirmed, done) wakes the other side. Under bash, which
// is NixOS's sh, both block in the shell's own `read -t`: timeout, head and sleep must not run.
func TestSupervisorAndWaitWakeEachOther(t *testing.T) {
	const used = `echo "$0" >> "${0%/*}/../used"; exit 1`
	for _, tc := range []struct {
		shell string
		shims map[string]string
	}{
		{"sh", map[string]string{"timeout": `shift; exec "$@"`, "sleep": "exec /bin/sleep 30"}},
		{"bash", map[string]string{"timeout": used, "head": used, "sleep": used}},
	} {
		t.Run(tc.shell, func(t *testing.T) {
			shell, err := exec.LookPath(tc.shell)
			if err != nil {
				t.Skipf("no %s here", tc.shell)
			}
			for _, last := range []string{"commit", "rollback"} {
				root := filepath.Join(t.TempDir(), "hub-deploy")
				local := func(s string) string { return strings.ReplaceAll(s, "/run/hub-deploy", root) }
				const id = "20250101T000000Z-wake00"
				s := startSupervisorShell(t, shell, local(superviseScript), filepath.Join(root, id), "exit 0", tc.shims, "test", "none", "1", "60", "60")
				bin := filepath.Join(filepath.Dir(s.out), "shims")
				wait := func(sig string, files ...string) string {
					t.Helper()
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					cmd := exec.CommandContext(ctx, shell, append([]string{"-c", local(waitScript), "wait", id, sig, "root@hub"}, files...)...)
					cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
					out, err := cmd.CombinedOutput()
					if err != nil {
						t.Fatalf("wait %s for %v: %v (%s)\n%s", sig, files, err, ctx.Err(), out)
					}
					return string(out)
				}
				if out := wait("-", "status", "done"); !strings.Contains(out, "status=0") {
					t.Fatalf("waiting for the activation printed:\n%s", out)
				}
				if out := wait("confirm", "confirmed", "done"); !strings.Contains(out, "confirmed=1") {
					t.Fatalf("the confirm's wait printed:\n%s", out)
				}
				// The hub's last word: the commit, or the rollback a failed health check asks for
				// (activation.signal sends it through the same wait).
				want := map[string]string{"commit": "result=committed", "rollback": "result=rolled-back"}[last]
				if out := wait(last, "done"); !strings.Contains(out, want) {
					t.Fatalf("the %s's wait printed (want %s):\n%s", last, want, out)
				}
				s.waitDone(t, 10*time.Second)
				// The waits remove their fifos; the watchdog's goes with its directory.
				if m, _ := filepath.Glob(filepath.Join(root, id, "w.*")); len(m) > 0 {
					t.Errorf("fifos of ended waits left behind: %v", m)
				}
				if b, err := os.ReadFile(filepath.Join(bin, "..", "used")); err == nil {
					t.Errorf("%s waited through helper programs instead of its own read -t:\n%s", tc.shell, b)
				}
			}
		})
	}
}

// TestProbeScriptOnATree runs the probe on a made-up tree under dash and bash: with every link
// there (one readlink for all boot parts), the booted system's kernel differs from the running
// one's and the new system's systemd from the booted one's; without a booted system (each part
// read on its own) its parts read as empty in their own places and the running ones still come.
func TestProbeScriptOnATree(t *testing.T) {
	for _, shell := range []string{"sh", "bash"} {
		t.Run(shell, func(t *testing.T) {
			if _, err := exec.LookPath(shell); err != nil {
				t.Skipf("no %s here", shell)
			}
			for _, withBooted := range []bool{true, false} {
				root := t.TempDir()
				store := filepath.Join(root, "store")
				link := func(target, name string) {
					t.Helper()
					if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.Symlink(target, name); err != nil {
						t.Fatal(err)
					}
				}
				sys := func(name string, parts map[string]string) string {
					p := filepath.Join(store, name)
					for part, file := range parts {
						if err := os.MkdirAll(store, 0o755); err != nil {
							t.Fatal(err)
						}
						if err := os.WriteFile(filepath.Join(store, file), nil, 0o644); err != nil {
							t.Fatal(err)
						}
						link(filepath.Join(store, file), filepath.Join(p, part))
					}
					return p
				}
				base := map[string]string{"kernel": "bzImage-6.6", "initrd": "initrd", "kernel-modules": "modules", "systemd": "systemd-257"}
				with := func(part, file string) map[string]string {
					m := maps.Clone(base)
					m[part] = file
					return m
				}
				running := sys("running", with("kernel", "bzImage-6.12"))
				booted := sys("booted", base)
				next := sys("next", with("systemd", "systemd-258"))
				profiles := filepath.Join(root, "profiles")
				link(running, filepath.Join(profiles, "system-3-link"))
				link("system-3-link", filepath.Join(profiles, "system"))
				link(running, filepath.Join(root, "current-system"))
				if withBooted {
					link(booted, filepath.Join(root, "booted-system"))
				}
				script := strings.NewReplacer("/run/current-system", filepath.Join(root, "current-system"), "/run/booted-system", filepath.Join(root, "booted-system"),
					profilePath, filepath.Join(profiles, "system"), lastFile, filepath.Join(root, "last")).Replace(probeScript)
				out, err := exec.Command(shell, "-c", script, "probe", next).CombinedOutput()
				if err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				st := parseState(string(out))
				if st.Current != running || st.Profile != running || st.Generation != 3 {
					t.Errorf("state %+v from:\n%s", st, out)
				}
				lines := []string{"current_kernel=" + filepath.Join(store, "bzImage-6.12") + "\n", "new_systemd=" + filepath.Join(store, "systemd-258") + "\n"}
				if withBooted {
					if st.Booted != booted || !slices.Equal(st.RebootParts, []string{"kernel"}) || !slices.Equal(st.NewRebootParts, []string{"systemd"}) {
						t.Errorf("booted %s, reboot parts %v, new reboot parts %v (want kernel, systemd) from:\n%s", st.Booted, st.RebootParts, st.NewRebootParts, out)
					}
				} else {
					lines = append(lines, "booted=\n", "booted_kernel=\n", "booted_systemd=\n")
				}
				for _, line := range lines {
					if !strings.Contains(string(out), line) {
						t.Errorf("booted system %t: no line %q in:\n%s", withBooted, line, out)
					}
				}
			}
		})
	}
}
