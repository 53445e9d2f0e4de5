package command

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"sync"
	"time"
)

// pidMarker starts the line a remote command's login shell writes to stderr before it becomes
// the command. sshd makes every session's shell the leader of a new session and process group
// (setsid), so that pid names the whole group the command and its children run in: the handle
// a cancel needs, because ssh has no way to signal a remote command through a shared master.
const pidMarker = "hub-remote-pid="

// remoteLine is the command line the host's login shell runs for args: it names its pid on
// stderr, then execs the command (so the pid is the command's own, and its group's).
func remoteLine(args []string) string {
	return "echo " + pidMarker + "$$ >&2; exec " + Quote(args)
}

// killRemote ends the remote process group pgid: SIGTERM at once, SIGKILL a second later to
// whatever ignored it (no "--": dash's kill takes none). It goes over the master, which is still
// up (only the client is being cancelled); a host that does not answer within a few seconds gets
// no second chance: this command's own cancel only kills its client.
func (h *Host) killRemote(pgid int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := h.Run(ctx, Cmd{Args: []string{"sh", "-c",
		`kill -TERM "-$1" 2>/dev/null || exit 0
(sleep 1; kill -0 "-$1" 2>/dev/null && kill -KILL "-$1") >/dev/null 2>&1 </dev/null &`,
		"hub-cancel", strconv.Itoa(pgid)}, localCancel: true})
	return err
}

// remotePID takes the pid line off the front of a remote command's stderr and passes the rest
// through unchanged. Writes come from the one goroutine copying the pipe; wait is called from
// another (the cancel), so the pid is published through a channel.
type remotePID struct {
	w    io.Writer
	head []byte
	done bool
	pid  int
	got  chan struct{}
	once sync.Once
}

func newRemotePID(w io.Writer) *remotePID { return &remotePID{w: w, got: make(chan struct{})} }

func (p *remotePID) Write(b []byte) (int, error) {
	if p.done {
		return p.w.Write(b)
	}
	n := len(b)
	p.head = append(p.head, b...)
	i := bytes.IndexByte(p.head, '\n')
	if i < 0 && len(p.head) < 64 {
		return n, nil
	}
	rest := p.head
	if i >= 0 && bytes.HasPrefix(p.head, []byte(pidMarker)) {
		p.pid, _ = strconv.Atoi(string(p.head[len(pidMarker):i]))
		rest = p.head[i+1:]
	}
	p.done, p.head = true, nil
	p.once.Do(func() { close(p.got) })
	if len(rest) > 0 {
		if _, err := p.w.Write(rest); err != nil {
			return n, err
		}
	}
	return n, nil
}

// flush passes on a head that never became a whole line (a command that wrote no pid line and
// little else: a login shell that is not POSIX, or ssh's own error before any shell ran).
func (p *remotePID) flush() {
	if !p.done {
		p.done = true
		if len(p.head) > 0 {
			_, _ = p.w.Write(p.head)
		}
		p.head = nil
	}
	p.once.Do(func() { close(p.got) })
}

// wait returns the remote pid once known, 0 if it is not within d.
func (p *remotePID) wait(d time.Duration) int {
	select {
	case <-p.got:
		return p.pid
	case <-time.After(d):
		return 0
	}
}
