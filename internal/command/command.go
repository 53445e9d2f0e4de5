// Package command is the hub's one way to run external programs, on this machine or on a host over
// OpenSSH. Remote commands go through the user's own ssh client and ssh_config (aliases, jump
// hosts, keys, agent) with strict host key checking left as configured, and share one
// ControlMaster connection per host so that N commands cost one handshake.
package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/piddir"
)

// Executor holds what all commands of one run share.
type Executor struct {
	DryRun     bool      // print the exact commands, run nothing
	Echo       io.Writer // when set, every command is echoed here before it runs (verbose)
	Out        io.Writer // where dry-run prints commands; os.Stdout when nil
	ControlDir string    // ssh ControlMaster sockets; a private temp dir when empty
	// Sudo asks, once, the password for hosts whose sudo needs one (ssh.sudo_password);
	// nil: such hosts fail saying so (sudo.go).
	Sudo *SudoPassword

	mu      sync.Mutex
	tmpDir  string           // ControlDir we created and must remove
	masters map[string]*Host // hosts whose master we may have started
}

// Host runs commands in one place: locally or over ssh.
type Host struct {
	e     *Executor
	name  string
	ssh   *inventory.SSH // nil for the local machine
	fresh time.Duration  // > 0: a new connection per command, with this connect timeout (Fresh)
}

// Cmd is one command. Args[0] is the program; remote Args are shell-quoted and joined.
type Cmd struct {
	Args    []string
	Stdin   io.Reader
	Env     []string      // extra KEY=VALUE for local commands
	Timeout time.Duration // 0: only the context bounds it
	Stdout  io.Writer     // optional live copy of stdout
	Stderr  io.Writer     // optional live copy of stderr
	// ReadOnly marks a command that changes nothing anywhere (a pure evaluation, a query whose
	// answer the next step needs): it runs in a dry run too, echoed there as "[read-only]".
	ReadOnly bool

	localCancel bool // a cancel kills only the ssh client (killRemote's own command)
}

// Result is what a finished command left.
type Result struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int
	Duration time.Duration
	DryRun   bool // nothing ran
}

// ExitError is a command that ran and exited non-zero (or was killed).
type ExitError struct {
	Host     string
	Args     []string
	ExitCode int
	Stderr   string
	TimedOut bool
	Signal   string // the signal that killed it ("killed"), when one did
}

func (e *ExitError) Error() string {
	cmd := abbrev(shown(e.Args))
	msg := fmt.Sprintf("%s: %s: exit status %d", e.Host, cmd, e.ExitCode)
	if e.TimedOut {
		msg = fmt.Sprintf("%s: %s: timed out", e.Host, cmd)
	} else if e.Signal != "" {
		msg = fmt.Sprintf("%s: %s: killed by signal (%s)", e.Host, cmd, e.Signal)
	}
	if s := lastLines(e.Stderr, 3); s != "" {
		msg += ": " + s
	}
	return msg
}

// Unreachable reports whether ssh itself failed (exit 255: no route, refused, host key, auth)
// rather than the remote command.
func (e *ExitError) Unreachable() bool { return e.ExitCode == 255 }

// Local returns the machine the hub runs on.
func (e *Executor) Local() *Host { return &Host{e: e, name: "local"} }

// SSH returns a host reached over ssh.
func (e *Executor) SSH(name string, c inventory.SSH) *Host {
	c.Options = append([]string(nil), c.Options...)
	return &Host{e: e, name: name, ssh: &c}
}

// Fresh is the same host reached over a new ssh connection for every command, with its own
// connect timeout, instead of the shared master. A master connection outlives an sshd that no
// longer accepts logins, so only a fresh one proves the host can still be logged in to (the
// magic rollback's confirm) or has come back from a reboot. The local machine is returned as is.
func (h *Host) Fresh(connectTimeout time.Duration) *Host {
	if h.ssh == nil {
		return h
	}
	c := *h.ssh
	c.Options = append([]string(nil), c.Options...)
	return &Host{e: h.e, name: h.name, ssh: &c, fresh: max(connectTimeout, time.Second)}
}

// Name is the host's inventory name ("local" for this machine).
func (h *Host) Name() string { return h.name }

// IsLocal reports whether commands run on this machine.
func (h *Host) IsLocal() bool { return h.ssh == nil }

// Run runs c and waits. A non-zero exit is an *ExitError carrying the exit code and stderr.
func (h *Host) Run(ctx context.Context, c Cmd) (Result, error) {
	if len(c.Args) == 0 {
		return Result{}, fmt.Errorf("%s: empty command", h.name)
	}
	argv := c.Args
	if h.ssh != nil {
		ctl, err := h.controlDir()
		if err != nil {
			return Result{}, err
		}
		remote := c.Args
		switch {
		case h.ssh.Sudo && h.ssh.SudoPass && h.e.DryRun:
			remote = append([]string{"sudo", "-A", "-k", "--"}, remote...) // a dry run asks nothing
		case h.ssh.Sudo:
			if remote, c.Stdin, err = h.sudoCommand(remote, c.Stdin); err != nil {
				return Result{}, err
			}
		}
		argv = append(h.sshArgs(ctl), "--", remoteLine(remote))
	}
	if h.e.DryRun && c.ReadOnly && h.e.Echo == nil {
		out := h.e.Out
		if out == nil {
			out = os.Stdout
		}
		fmt.Fprintf(out, "[read-only] %s: %s\n", h.name, Quote(argv))
	}
	if h.e.DryRun && !c.ReadOnly {
		out := h.e.Out
		if out == nil {
			out = os.Stdout
		}
		fmt.Fprintf(out, "[dry-run] %s: %s\n", h.name, Quote(argv))
		return Result{DryRun: true}, nil
	}
	if h.e.Echo != nil {
		fmt.Fprintf(h.e.Echo, "+ %s: %s\n", h.name, Quote(argv))
	}
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	// Without WaitDelay a child that keeps our pipes open (a daemon, a stuck ssh master) would
	// hang Wait forever after the context is done.
	cmd.WaitDelay = 5 * time.Second
	cmd.Stdin = c.Stdin
	if h.ssh == nil && len(c.Env) > 0 {
		cmd.Env = append(os.Environ(), c.Env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = tee(&stdout, c.Stdout)
	cmd.Stderr = tee(&stderr, c.Stderr)
	var pid *remotePID
	if h.ssh != nil {
		pid = newRemotePID(cmd.Stderr)
		cmd.Stderr = pid
		cmd.Cancel = func() error {
			// The remote process group first: killing only our ssh client would leave the
			// command running on the host, and its pipes open in the master until WaitDelay.
			if n := pid.wait(time.Second); n > 0 && !c.localCancel && h.killRemote(n) == nil {
				return nil // the channel closes with the command, and the client with it
			}
			return cmd.Process.Kill()
		}
	}
	start := time.Now()
	err := cmd.Run()
	if pid != nil {
		pid.flush() // before stderr is read: a head that never became a line
	}
	res := Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Duration: time.Since(start)}
	if err == nil {
		return res, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) || ctx.Err() != nil {
		res.ExitCode = -1
		if ee != nil {
			res.ExitCode = ee.ExitCode()
		}
		xe := &ExitError{Host: h.name, Args: c.Args, ExitCode: res.ExitCode, Stderr: stderr.String(),
			TimedOut: errors.Is(ctx.Err(), context.DeadlineExceeded)}
		if ee != nil {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				xe.Signal = ws.Signal().String()
			}
		}
		if ctx.Err() != nil && !xe.TimedOut {
			return res, fmt.Errorf("%s: %s: %w", h.name, abbrev(shown(c.Args)), ctx.Err())
		}
		return res, xe
	}
	return res, fmt.Errorf("%s: %s: %w", h.name, abbrev(shown(c.Args)), err)
}

// Output runs args and returns stdout without the trailing newline.
func (h *Host) Output(ctx context.Context, args ...string) (string, error) {
	res, err := h.Run(ctx, Cmd{Args: args})
	return strings.TrimRight(string(res.Stdout), "\n"), err
}

// SSHArgs is the ssh command line prefix (without the remote command) for tools that take one,
// such as rsync -e or ssh-keyscan callers; nil for the local machine.
func (h *Host) SSHArgs() []string {
	if h.ssh == nil {
		return nil
	}
	ctl, err := h.controlDir()
	if err != nil {
		return nil
	}
	return h.sshArgs(ctl)
}

// controlDir is where this host's master socket lives, noting the master for Close; "" for a
// fresh host, which has none.
func (h *Host) controlDir() (string, error) {
	if h.fresh > 0 {
		return "", nil
	}
	ctl, err := h.e.controlDir()
	if err != nil {
		return "", err
	}
	h.e.noteMaster(h)
	return ctl, nil
}

// NixSSHOpts is the NIX_SSHOPTS value that makes nix's own ssh calls (nix copy, remote builders)
// use the same options and the same master connection.
func (h *Host) NixSSHOpts() string {
	args := h.SSHArgs()
	if len(args) < 2 {
		return ""
	}
	// Nix splits NIX_SSHOPTS on spaces and appends user@destination itself.
	return strings.Join(args[1:len(args)-1], " ")
}

// StoreURI is the ssh store URI nix copy uses for this host.
func (h *Host) StoreURI() string {
	if h.ssh == nil {
		return "local"
	}
	return "ssh://" + h.destination()
}

func (h *Host) destination() string {
	if h.ssh.User != "" {
		return h.ssh.User + "@" + h.ssh.Destination
	}
	return h.ssh.Destination
}

// KeepAlive and ConnectTimeout bound how long an unresponsive host holds a command: a hung
// host is noticed within 3 × KeepAlive, one that accepts TCP but never answers within
// ConnectTimeout.
const (
	KeepAlive      = 5 * time.Second
	ConnectTimeout = 20 * time.Second
)

func (h *Host) sshArgs(ctl string) []string {
	args := []string{"ssh", "-o", "BatchMode=yes"}
	connect := ConnectTimeout
	if h.fresh > 0 {
		args = append(args, "-o", "ControlMaster=no", "-o", "ControlPath=none")
		connect = h.fresh
	} else {
		args = append(args, "-o", "ControlMaster=auto", "-o", "ControlPath="+ctl+"/%C", "-o", "ControlPersist=120s")
	}
	args = append(args,
		// A host that hangs (a stopped VM, a stuck kernel) keeps its TCP connections open at
		// the kernel and answers nothing: keep-alives end the connection, and every command
		// on it, after ServerAliveInterval × ServerAliveCountMax, and a new connection gives up
		// after ConnectTimeout (which bounds the banner exchange too). ssh takes the first
		// value it sees, so these override ssh_config.
		"-o", "ServerAliveInterval="+strconv.Itoa(int(KeepAlive/time.Second)),
		"-o", "ServerAliveCountMax=3",
		"-o", "ConnectTimeout="+strconv.Itoa(int((connect+time.Second-1)/time.Second)),
	)
	if h.ssh.Port > 0 {
		args = append(args, "-p", strconv.Itoa(h.ssh.Port))
	}
	for _, o := range h.ssh.Options {
		args = append(args, "-o", o)
	}
	return append(args, h.destination())
}

func (e *Executor) controlDir() (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ControlDir != "" {
		return e.ControlDir, nil
	}
	if e.tmpDir == "" {
		sweepControlDirs()
		d, err := piddir.Make(controlRoot, controlPrefix)
		if err != nil {
			return "", fmt.Errorf("ssh control dir: %w", err)
		}
		e.tmpDir = d
	}
	return e.tmpDir, nil
}

func (e *Executor) noteMaster(h *Host) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.masters == nil {
		e.masters = map[string]*Host{}
	}
	e.masters[h.name] = h
}

// Close stops the ssh master connections this executor opened and removes its private control dir.
func (e *Executor) Close() error {
	e.mu.Lock()
	masters := e.masters
	e.masters = nil
	dir := e.ControlDir
	if dir == "" {
		dir = e.tmpDir
	}
	e.mu.Unlock()
	if dir == "" || e.DryRun {
		return nil
	}
	for _, h := range masters {
		args := h.sshArgs(dir)
		args = append(args[:len(args)-1], "-O", "exit", args[len(args)-1])
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = exec.CommandContext(ctx, args[0], args[1:]...).Run() // no master running is fine
		cancel()
	}
	if e.tmpDir != "" {
		return os.RemoveAll(e.tmpDir)
	}
	return nil
}

// Quote renders argv as one POSIX shell command line.
func Quote(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		parts[i] = quoteArg(a)
	}
	return strings.Join(parts, " ")
}

func quoteArg(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:@%+,^", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func tee(buf *bytes.Buffer, w io.Writer) io.Writer {
	if w == nil {
		return buf
	}
	return io.MultiWriter(buf, w)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, " | "))
}

// abbrev keeps an error about a command on one line: a multi-line script (sh -c '...') is cut
// at its first line break, and anything longer than 120 bytes is cut there.
// shown is a command line as an error names it: a script of several lines that sh -c runs with
// a name ($0: sh -c SCRIPT NAME ARGS...) is shown by that name, which says more in a line than
// the script's first one does.
func shown(args []string) string {
	if len(args) >= 4 && args[1] == "-c" && strings.Contains(args[2], "\n") {
		return Quote(args[:2]) + " <" + args[3] + " script> " + Quote(args[3:])
	}
	return Quote(args)
}

func abbrev(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + "..."
	}
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}

// Ping opens (or reuses) the connection to the host and runs `true`, returning the round trip.
// It is the reachability check of hosts:ping and the first step of anything that fans out.
func (h *Host) Ping(ctx context.Context, timeout time.Duration) (time.Duration, error) {
	res, err := h.Run(ctx, Cmd{Args: []string{"true"}, Timeout: timeout})
	return res.Duration, err
}
