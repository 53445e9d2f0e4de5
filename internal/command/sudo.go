package command

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/term"
)

// SudoPassword asks the sudo password at most once per Executor, when a host that needs it
// (ssh.sudo_password) first runs a command, and keeps it for the run. Ask reads it (from the
// terminal, without echo); it is called with the name of the host that needs it.
type SudoPassword struct {
	Ask func(host string) ([]byte, error)

	once sync.Once
	pw   []byte
	err  error
}

func (s *SudoPassword) get(host string) ([]byte, error) {
	s.once.Do(func() {
		if s.Ask == nil {
			s.err = fmt.Errorf("no way to ask for it")
			return
		}
		s.pw, s.err = s.Ask(host)
	})
	return s.pw, s.err
}

// sudoAskpass runs "$@" under sudo with the password that is the first line of its stdin, and
// the rest of stdin left to the command. The password goes to sudo through a one-shot askpass
// program that reads a FIFO: never in an argv (printf is a shell builtin), never in the
// environment (p is not exported), never on disk, never in the command's stdin (even when
// sudo does not ask, NOPASSWD); -k so that sudo asks whenever its policy wants a password,
// whatever it cached. A second ask (a wrong password) gets nothing, so sudo fails at once
// ("no password was provided") instead of waiting.
const sudoAskpass = `IFS= read -r p || exit 1
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
mkfifo -m 600 "$d/pw" || exit 1
printf '#!/bin/sh\n[ -e "%s/used" ] && exit 1\n: > "%s/used"\nexec cat "%s/pw"\n' "$d" "$d" "$d" > "$d/ask"
chmod 700 "$d/ask"
(printf '%s\n' "$p" > "$d/pw") &
w=$!
p=
SUDO_ASKPASS="$d/ask" sudo -A -k -p '' -- "$@"
rc=$?
kill "$w" 2>/dev/null
exit $rc`

// sudoCommand wraps remote args for a host with ssh.sudo, and the stdin to send: with a
// password, the askpass wrapper and the password line ahead of the command's own stdin;
// without, sudo -n (which fails at once, saying a password is required, where one is).
func (h *Host) sudoCommand(args []string, stdin io.Reader) ([]string, io.Reader, error) {
	if !h.ssh.SudoPass {
		return append([]string{"sudo", "-n", "--"}, args...), stdin, nil
	}
	if h.e.Sudo == nil {
		return nil, nil, fmt.Errorf("%s: sudo needs a password there (ssh.sudo_password) and this run has no way to ask it", h.name)
	}
	pw, err := h.e.Sudo.get(h.name)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: sudo password: %w", h.name, err)
	}
	if bytes.ContainsAny(pw, "\n\r") {
		return nil, nil, fmt.Errorf("%s: sudo password: a password cannot contain a line break", h.name)
	}
	in := io.MultiReader(bytes.NewReader(append(append([]byte{}, pw...), '\n')), orEmpty(stdin))
	return append([]string{"sh", "-c", sudoAskpass, "hub-sudo"}, args...), in, nil
}

func orEmpty(r io.Reader) io.Reader {
	if r == nil {
		return bytes.NewReader(nil)
	}
	return r
}

// Prepare asks now (if not yet), so that a run with a live progress view asks before the view
// starts drawing: for a deploy whose selection has a host with ssh.sudo_password.
func (s *SudoPassword) Prepare(host string) error {
	_, err := s.get(host)
	return err
}

// AskOnTerminal reads the password from the controlling terminal (/dev/tty, so stdin stays the
// command's) without echo, with a prompt naming the host that needs it. Without a terminal it
// fails saying what to do.
func AskOnTerminal(host string) ([]byte, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("there is no terminal to ask it on (%v): run from a terminal, or give the ssh user passwordless sudo on %s", err, host)
	}
	defer tty.Close()
	fmt.Fprintf(tty, "sudo password for %s (asked once for this run, not echoed): ", host)
	pw, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return nil, fmt.Errorf("read from the terminal: %w", err)
	}
	return pw, nil
}
