package command

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/piddir"
)

func TestQuote(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"echo", "hello"}, "echo hello"},
		{[]string{"echo", ""}, "echo ''"},
		{[]string{"sh", "-c", "echo $HOME; ls"}, `sh -c 'echo $HOME; ls'`},
		{[]string{"printf", "it's"}, `printf 'it'\''s'`},
		{[]string{"nix", "build", "/nix/store/abc-x.drv^out"}, "nix build /nix/store/abc-x.drv^out"},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
		// The quoted form must survive a real shell unchanged.
		out, err := exec.Command("sh", "-c", "for a in "+Quote(tt.in)+`; do printf '%s\0' "$a"; done`).Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00"); strings.Join(got, "|") != strings.Join(tt.in, "|") {
			t.Errorf("shell round trip of %q = %q", tt.in, got)
		}
	}
}

func TestLocal(t *testing.T) {
	ctx := context.Background()
	e := &Executor{}
	defer e.Close()
	h := e.Local()
	tests := []struct {
		name     string
		cmd      Cmd
		stdout   string
		code     int
		errMatch string
	}{
		{name: "ok", cmd: Cmd{Args: []string{"echo", "hi"}}, stdout: "hi\n"},
		{name: "stdin", cmd: Cmd{Args: []string{"cat"}, Stdin: strings.NewReader("in")}, stdout: "in"},
		{name: "env", cmd: Cmd{Args: []string{"sh", "-c", "echo $HUB_X"}, Env: []string{"HUB_X=1"}}, stdout: "1\n"},
		{name: "exit code and stderr", cmd: Cmd{Args: []string{"sh", "-c", "echo out; echo bad thing >&2; exit 3"}}, stdout: "out\n", code: 3,
			errMatch: `local: sh -c 'echo out; echo bad thing >&2; exit 3': exit status 3: bad thing`},
		{name: "timeout", cmd: Cmd{Args: []string{"sleep", "5"}, Timeout: 100 * time.Millisecond}, code: -1,
			errMatch: "local: sleep 5: timed out"},
		{name: "missing program", cmd: Cmd{Args: []string{"hub-no-such-program"}}, code: 0,
			errMatch: `local: hub-no-such-program: exec: "hub-no-such-program": executable file not found in $PATH`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := h.Run(ctx, tt.cmd)
			if string(res.Stdout) != tt.stdout {
				t.Errorf("stdout = %q, want %q", res.Stdout, tt.stdout)
			}
			if tt.errMatch == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tt.errMatch {
				t.Fatalf("err = %v, want %s", err, tt.errMatch)
			}
			var xe *ExitError
			if tt.code != 0 && (!errors.As(err, &xe) || xe.ExitCode != tt.code) {
				t.Errorf("exit code = %+v, want %d", xe, tt.code)
			}
		})
	}
}

// A read-only command (a pure evaluation the next step needs) runs in a dry run too, and the
// dry run says that it ran.
func TestDryRunRunsReadOnly(t *testing.T) {
	var out bytes.Buffer
	e := &Executor{DryRun: true, Out: &out}
	res, err := e.Local().Run(t.Context(), Cmd{Args: []string{"echo", "answer"}, ReadOnly: true})
	if err != nil || res.DryRun || string(res.Stdout) != "answer\n" {
		t.Fatalf("res=%+v err=%v, want it run", res, err)
	}
	if want := "[read-only] local: echo answer\n"; out.String() != want {
		t.Errorf("dry-run output %q, want %q", out.String(), want)
	}
}

func TestDryRunRunsNothing(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	var out bytes.Buffer
	e := &Executor{DryRun: true, Out: &out}
	res, err := e.Local().Run(context.Background(), Cmd{Args: []string{"touch", marker}})
	if err != nil || !res.DryRun {
		t.Fatalf("res=%+v err=%v", res, err)
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("dry run executed the command: %v", err)
	}
	if want := "[dry-run] local: touch " + marker + "\n"; out.String() != want {
		t.Errorf("dry-run output %q, want %q", out.String(), want)
	}
	out.Reset()
	rh := e.SSH("web", inventory.SSH{Destination: "10.1.2.3", User: "root", Port: 2222, Options: []string{"IdentitiesOnly=yes"}, Sudo: true})
	if _, err := rh.Run(context.Background(), Cmd{Args: []string{"echo", "a b"}}); err != nil {
		t.Fatal(err)
	}
	ctl, _ := e.controlDir()
	want := fmt.Sprintf("[dry-run] web: ssh -o BatchMode=yes -o ControlMaster=auto -o ControlPath=%s/%%C -o ControlPersist=120s -o ServerAliveInterval=5 -o ServerAliveCountMax=3 -o ConnectTimeout=20 -p 2222 -o IdentitiesOnly=yes root@10.1.2.3 -- 'echo hub-remote-pid=$$ >&2; exec sudo -n -- echo '\\''a b'\\'''\n", ctl)
	if out.String() != want {
		t.Errorf("got  %s\nwant %s", out.String(), want)
	}
	// A fresh host: no master, its own connect timeout, sudo as before.
	out.Reset()
	if _, err := rh.Fresh(5*time.Second).Run(context.Background(), Cmd{Args: []string{"true"}}); err != nil {
		t.Fatal(err)
	}
	want = "[dry-run] web: ssh -o BatchMode=yes -o ControlMaster=no -o ControlPath=none -o ServerAliveInterval=5 -o ServerAliveCountMax=3 -o ConnectTimeout=5 -p 2222 -o IdentitiesOnly=yes root@10.1.2.3 -- 'echo hub-remote-pid=$$ >&2; exec sudo -n -- true'\n"
	if out.String() != want {
		t.Errorf("fresh:\ngot  %s\nwant %s", out.String(), want)
	}
	e.Close()
}

// sshd starts a real OpenSSH server on a free loopback port with fresh keys, and returns the
// inventory SSH settings that reach it with strict host key checking.
func sshd(t *testing.T) inventory.SSH {
	t.Helper()
	bin, err := exec.LookPath("sshd")
	if err != nil {
		bin = "/usr/sbin/sshd"
	}
	if _, err := os.Stat(bin); err != nil || os.Geteuid() != 0 {
		t.Skip("needs root and openssh-server (go tool mage test:parallel installs it)")
	}
	dir, err := os.MkdirTemp("/tmp", "hub-cmd-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for _, k := range []string{"host", "client"} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, k)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v %s", err, out)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	pub, _ := os.ReadFile(filepath.Join(dir, "client.pub"))
	os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600)
	hostPub, _ := os.ReadFile(filepath.Join(dir, "host.pub"))
	os.WriteFile(filepath.Join(dir, "known_hosts"), []byte(fmt.Sprintf("[127.0.0.1]:%d %s", port, hostPub)), 0o600)
	os.MkdirAll("/run/sshd", 0o755)
	conf := fmt.Sprintf(`ListenAddress 127.0.0.1:%d
HostKey %s/host
AuthorizedKeysFile %s/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile none
MaxSessions 50
`, port, dir, dir)
	os.WriteFile(filepath.Join(dir, "sshd_config"), []byte(conf), 0o600)
	// sshd runs in a private mount namespace with an empty /root: the machine's own ~/.bashrc
	// (which may run slow shell setup) must not be part of what the tests measure.
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c",
		`mount -t tmpfs -o mode=0700 hub-test-home /root && exec "$0" -D -e -f "$1"`, bin, filepath.Join(dir, "sshd_config"))
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd did not start: %s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return inventory.SSH{Destination: "127.0.0.1", User: "root", Port: port, Options: []string{
		"UserKnownHostsFile=" + filepath.Join(dir, "known_hosts"),
		"IdentityFile=" + filepath.Join(dir, "client"),
		"IdentitiesOnly=yes",
		"StrictHostKeyChecking=yes",
	}}
}

func TestSSH(t *testing.T) {
	conf := sshd(t)
	ctx := context.Background()
	e := &Executor{}
	h := e.SSH("web", conf)

	out, err := h.Output(ctx, "sh", "-c", "echo \"$1\"", "x", "it's a $test")
	if err != nil {
		t.Fatal(err)
	}
	if out != "it's a $test" {
		t.Errorf("quoting: got %q", out)
	}

	_, err = h.Run(ctx, Cmd{Args: []string{"sh", "-c", "echo nope >&2; exit 7"}})
	var xe *ExitError
	if !errors.As(err, &xe) || xe.ExitCode != 7 || xe.Unreachable() || !strings.Contains(err.Error(), "web: sh -c 'echo nope >&2; exit 7': exit status 7: nope") {
		t.Fatalf("remote failure = %v", err)
	}

	res, err := h.Run(ctx, Cmd{Args: []string{"cat"}, Stdin: strings.NewReader("piped")})
	if err != nil || string(res.Stdout) != "piped" {
		t.Fatalf("stdin: %q %v", res.Stdout, err)
	}

	// One master connection: after the first command the control socket exists and answers.
	args := h.SSHArgs()
	check := append(append([]string{}, args[:len(args)-1]...), "-O", "check", args[len(args)-1])
	if out, err := exec.Command(check[0], check[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("no master connection: %v %s", err, out)
	}
	start := time.Now()
	for i := 0; i < 10; i++ {
		if _, err := h.Output(ctx, "true"); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("10 multiplexed commands in %v", time.Since(start))

	if rtt, err := h.Ping(ctx, 5*time.Second); err != nil || rtt <= 0 {
		t.Errorf("Ping = %v, %v", rtt, err)
	}

	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(check[0], check[1:]...).CombinedOutput(); err == nil {
		t.Fatalf("master still running after Close: %s", out)
	}
}

func TestSSHStrictHostKey(t *testing.T) {
	conf := sshd(t)
	// A known_hosts entry for another key must make ssh refuse, not prompt or accept.
	bad := filepath.Join(t.TempDir(), "known_hosts")
	os.WriteFile(bad, []byte(fmt.Sprintf("[127.0.0.1]:%d ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2e4lM7hZr0Ex6vJkQ4rq2k0h6y9gkqYc4x0d5vQYgZ\n", conf.Port)), 0o600)
	conf.Options[0] = "UserKnownHostsFile=" + bad
	e := &Executor{}
	defer e.Close()
	_, err := e.SSH("web", conf).Run(context.Background(), Cmd{Args: []string{"true"}, Timeout: 10 * time.Second})
	var xe *ExitError
	if !errors.As(err, &xe) || !xe.Unreachable() || !strings.Contains(xe.Stderr, "REMOTE HOST IDENTIFICATION HAS CHANGED") {
		t.Fatalf("want a host key refusal, got %v", err)
	}
}

func TestSSHUnreachable(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now: connection refused
	e := &Executor{}
	defer e.Close()
	_, err := e.SSH("gone", inventory.SSH{Destination: "127.0.0.1", Port: port}).Ping(context.Background(), 10*time.Second)
	var xe *ExitError
	if !errors.As(err, &xe) || !xe.Unreachable() || !strings.Contains(err.Error(), "Connection refused") {
		t.Fatalf("want connection refused, got %v", err)
	}
}

// An error names its command on one line, however long or multi-line its script.
func TestExitErrorOneLine(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"true"}, "web: true: exit status 1"},
		{[]string{"sh", "-c", "d=/run/hub-deploy/$1; shift\nwhile :; do\n  sleep 1\ndone", "wait", "id"}, "web: sh -c <wait script> wait id: exit status 1"},
		{[]string{"sh", "-c", "d=/run/hub-deploy/$1; shift\nwhile :; do\n  sleep 1\ndone"}, "web: sh -c 'd=/run/hub-deploy/$1; shift...: exit status 1"},
		{[]string{"echo", strings.Repeat("x", 200)}, "web: echo " + strings.Repeat("x", 112) + "...: exit status 1"},
	}
	for _, tt := range tests {
		got := (&ExitError{Host: "web", Args: tt.args, ExitCode: 1}).Error()
		if got != tt.want {
			t.Errorf("ExitError(%q):\n got %s\nwant %s", tt.args, got, tt.want)
		}
		if strings.Contains(got, "\n") {
			t.Errorf("ExitError(%q) spans lines: %q", tt.args, got)
		}
	}
}

// A command killed by a signal says which, instead of "exit status -1".
func TestExitErrorNamesTheSignal(t *testing.T) {
	_, err := (&Executor{}).Local().Run(context.Background(), Cmd{Args: []string{"sh", "-c", "kill -TERM $$"}})
	var xe *ExitError
	if !errors.As(err, &xe) || xe.Signal != "terminated" || !strings.HasSuffix(err.Error(), "killed by signal (terminated)") {
		t.Fatalf("err = %v (%+v), want killed by signal (terminated)", err, xe)
	}
}

// Cancelling a remote command stops it on the host, children included, and returns at once.
// Killing only the local ssh client does neither through a shared master: the master holds the
// client's pipes (so Wait sits out WaitDelay) and the remote command never hears of it.
func TestSSHCancelStopsTheRemoteCommand(t *testing.T) {
	conf := sshd(t)
	e := &Executor{}
	defer e.Close()
	h := e.SSH("web", conf)
	if _, err := h.Ping(context.Background(), 10*time.Second); err != nil {
		t.Fatal(err) // the master is up, as it is for every command of a deploy but the first
	}
	// Unique sleep lengths name the processes in /proc: a parent and a child of its own.
	tag := fmt.Sprintf("%d.%06d", 900+os.Getpid()%90, time.Now().Nanosecond()/1000)
	script := `sleep 1` + tag + ` & sleep 2` + tag + `; wait`
	var stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var res Result
	go func() {
		var err error
		res, err = h.Run(ctx, Cmd{Args: []string{"sh", "-c", script}, Stderr: &stderr})
		done <- err
	}()
	running := func() []string {
		var found []string
		ents, _ := os.ReadDir("/proc")
		for _, d := range ents {
			b, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
			if err == nil && strings.Contains(string(b), tag) && !strings.Contains(string(b), "wait") {
				found = append(found, strings.ReplaceAll(string(b), "\x00", " "))
			}
		}
		return found
	}
	for deadline := time.Now().Add(10 * time.Second); len(running()) < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the remote sleeps never started: %v", running())
		}
	}
	start := time.Now()
	cancel()
	err := <-done
	took := time.Since(start)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	// WaitDelay (5 s) is what an ssh client whose pipes the master holds costs; a cancel that
	// reached the host ends the channel, and the client, long before.
	if took >= 4*time.Second {
		t.Errorf("cancel took %s: the remote command outlived it", took)
	}
	for deadline := time.Now().Add(5 * time.Second); len(running()) > 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still running on the host after cancel: %q", running())
		}
	}
	if strings.Contains(stderr.String(), "hub-remote-pid") || strings.Contains(string(res.Stderr), "hub-remote-pid") {
		t.Errorf("the pid line leaked into stderr: %q", stderr.String())
	}
	// The master is still good for the next command.
	if out, err := h.Output(context.Background(), "echo", "after"); err != nil || out != "after" {
		t.Fatalf("after cancel: %q %v", out, err)
	}
}

// A run that is killed (SIGKILL, a crash) never reaches Close: the next run's executor removes
// its control dir and stops its master, and leaves a live run's alone. The killed run is a real
// process (this test binary, re-run as a helper) with a real master.
func TestKilledRunsControlDirIsSwept(t *testing.T) {
	conf := sshd(t)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "HUB_TEST_CONTROL_HELPER="+strings.Join([]string{conf.Destination, strconv.Itoa(conf.Port), strings.Join(conf.Options, "\x1f")}, "\x1e"))
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("helper: %v", err)
	}
	dead := strings.TrimSpace(line)
	// Looked at before the kill: once the run is dead, any Executor on the machine may sweep
	// its dir (another test package's, in the suite running beside this one), and did, between
	// the kill and this check.
	socks, _ := filepath.Glob(filepath.Join(dead, "*"))
	if len(socks) != 1 {
		cmd.Process.Kill()
		t.Fatalf("the run to be killed has %q, want its one master socket", socks)
	}
	master := exec.Command("ssh", "-o", "ControlPath="+socks[0], "-O", "check", "x")
	if out, err := master.CombinedOutput(); err != nil {
		cmd.Process.Kill()
		t.Fatalf("the run's master is not running (nothing to sweep once it is killed): %v %s", err, out)
	}
	cmd.Process.Kill()
	cmd.Wait()
	// A live run's dir (this process's) must survive the sweep.
	live, err := piddir.Make(controlRoot, controlPrefix)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(live)

	e := &Executor{}
	defer e.Close()
	if _, err := e.SSH("web", conf).Ping(context.Background(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the killed run's control dir %s is still there (%v)", dead, err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live run's control dir was removed: %v", err)
	}
	if out, err := exec.Command("ssh", "-o", "ControlPath="+socks[0], "-O", "check", "x").CombinedOutput(); err == nil {
		t.Errorf("the killed run's master still answers: %s", out)
	}
	// Its master process is gone too, not only its socket.
	waitGone(t, socks[0])
}

// TestMain runs this test binary as the killed run of TestKilledRunsControlDirIsSwept when
// asked to: it opens a master, prints its control dir and waits to be killed.
func TestMain(m *testing.M) {
	v := os.Getenv("HUB_TEST_CONTROL_HELPER")
	if v == "" {
		os.Exit(m.Run())
	}
	parts := strings.Split(v, "\x1e")
	port, _ := strconv.Atoi(parts[1])
	e := &Executor{}
	h := e.SSH("web", inventory.SSH{Destination: parts[0], User: "root", Port: port, Options: strings.Split(parts[2], "\x1f")})
	if _, err := h.Ping(context.Background(), 10*time.Second); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dir, _ := e.controlDir()
	fmt.Println(dir)
	time.Sleep(time.Minute)
	os.Exit(1)
}

// waitGone waits until no process is an ssh master on sock.
func waitGone(t *testing.T, sock string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		found := ""
		ents, _ := os.ReadDir("/proc")
		for _, d := range ents {
			b, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
			if err == nil && strings.Contains(string(b), filepath.Dir(sock)) {
				found = strings.ReplaceAll(string(b), "\x00", " ")
			}
		}
		if found == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("master still running: %s", found)
		}
	}
}
