package parallel

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// redrawInterval caps live-view redraws at 10/s: faster only costs terminal bandwidth.
const redrawInterval = 100 * time.Millisecond

// Separators after the padded host name: output lines and runner events are told apart at a
// glance and by grep.
const (
	sepOutput = '|'
	sepEvent  = ':'
)

type rowState int

const (
	rowWaiting rowState = iota
	rowRunning
	rowDone
)

// row is what the live view shows of one host.
type row struct {
	host   string
	phase  string
	state  rowState
	status Status
	start  time.Time
	took   time.Duration
}

// console serialises everything written to Options.Out. Each line goes out in a single Write
// under mu, which is what keeps hosts from splicing each other's lines.
type console struct {
	mu    sync.Mutex
	out   io.Writer
	width int // longest host name, for padding
	now   func() time.Time

	live     bool
	cols     int // terminal columns; 0 when unknown, then live rows are not truncated
	maxRows  int // terminal rows available for the live view; 0 when unknown
	rows     []*row
	byHost   map[string]*row
	drawn    int       // lines of the live view currently on screen
	lastDraw time.Time // wall clock, independent of now so a fake clock can't stall redraws

	err error // first write error; output stops after it
}

func newConsole(out io.Writer, hosts []string, now func() time.Time, live bool, cols, maxRows int) *console {
	c := &console{out: out, now: now, live: live, cols: cols, maxRows: maxRows, byHost: make(map[string]*row, len(hosts))}
	for _, h := range hosts {
		c.width = max(c.width, utf8.RuneCountInString(h))
		r := &row{host: h}
		c.rows = append(c.rows, r)
		c.byHost[h] = r
	}
	return c
}

// prefixed renders one line of a host with the host name padded to the longest one.
func (c *console) prefixed(host string, sep rune, text string) string {
	pad := c.width - utf8.RuneCountInString(host)
	if text == "" {
		return host + strings.Repeat(" ", pad) + " " + string(sep) + "\n"
	}
	return host + strings.Repeat(" ", pad) + " " + string(sep) + " " + text + "\n"
}

// hostLine writes one complete line of a host's output.
func (c *console) hostLine(host string, sep rune, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writeLocked(c.prefixed(host, sep, text))
}

// runLine writes a line about the whole run (start, end), not prefixed by a host.
func (c *console) runLine(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writeLocked(fmt.Sprintf(format, args...) + "\n")
}

func (c *console) started(host string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.byHost[host]
	r.state, r.start = rowRunning, at
}

// phase records a phase change; without the live view it is the only sign of progress, so it
// becomes a line.
func (c *console) phase(host, phase string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byHost[host].phase = phase
	if !c.live {
		c.writeLocked(c.prefixed(host, sepEvent, "phase "+phase))
	}
}

// finished prints the host's outcome line; it is printed in live mode too so the scrollback
// keeps each host's result next to its output.
func (c *console) finished(res HostResult, started bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.byHost[res.Host]
	r.state, r.status, r.took = rowDone, res.Status, res.Duration
	var b strings.Builder
	for i, line := range strings.Split(outcomeLine(res, started), "\n") {
		if i > 0 {
			line = "  " + line
		}
		b.WriteString(c.prefixed(res.Host, sepEvent, line))
	}
	c.writeLocked(b.String())
}

// outcomeLine is the one-line summary of a host's result used on the console and in its log.
func outcomeLine(res HostResult, started bool) string {
	s := string(res.Status)
	if res.FailedPhase != "" {
		s += " in phase " + res.FailedPhase
	}
	if started {
		s += " after " + formatDuration(res.Duration)
	}
	if res.Err != nil {
		s += ": " + res.Err.Error()
	}
	return s
}

// writeLocked writes s in one Write. In live mode the view is erased first (its lines are
// below the cursor's last output) and redrawn after s if the rate limit allows; otherwise the
// ticker brings it back within redrawInterval.
func (c *console) writeLocked(s string) {
	if c.err != nil {
		return
	}
	if c.live {
		s = c.eraseLocked() + s
		if wall := time.Now(); wall.Sub(c.lastDraw) >= redrawInterval {
			s += c.drawLocked(wall)
		}
	}
	if _, err := io.WriteString(c.out, s); err != nil {
		c.err = fmt.Errorf("parallel: write output: %w", err)
	}
}

// eraseLocked returns the escape sequence that moves the cursor to the first line of the live
// view and clears from there to the end of the screen.
func (c *console) eraseLocked() string {
	if c.drawn == 0 {
		return ""
	}
	s := fmt.Sprintf("\x1b[%dA\r\x1b[J", c.drawn)
	c.drawn = 0
	return s
}

func (c *console) drawLocked(wall time.Time) string {
	lines := c.viewLocked()
	c.drawn, c.lastDraw = len(lines), wall
	return strings.Join(lines, "\n") + "\n"
}

// redraw refreshes the live view so elapsed times move while hosts are quiet.
func (c *console) redraw() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil || !c.live {
		return
	}
	s := c.eraseLocked() + c.drawLocked(time.Now())
	if _, err := io.WriteString(c.out, s); err != nil {
		c.err = fmt.Errorf("parallel: write output: %w", err)
	}
}

// close removes the live view: the per-host outcome lines and the caller's summary table say
// the same thing.
func (c *console) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live && c.err == nil && c.drawn > 0 {
		if _, err := io.WriteString(c.out, c.eraseLocked()); err != nil {
			c.err = fmt.Errorf("parallel: write output: %w", err)
		}
	}
	c.live = false
}

// writeErr is the first error writing to Out, if any.
func (c *console) writeErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// viewLocked renders the live view, one line per host. When the terminal is too short for all
// hosts, only running hosts are listed plus a count line, because cursor movement cannot reach
// lines scrolled off the top and the view would smear.
func (c *console) viewLocked() []string {
	now := c.now()
	phaseWidth := len("phase")
	for _, r := range c.rows {
		phaseWidth = max(phaseWidth, utf8.RuneCountInString(r.phase))
	}
	rows := c.rows
	var more string
	if c.maxRows > 0 && len(rows) > c.maxRows {
		var running []*row
		waiting, done := 0, 0
		for _, r := range c.rows {
			switch r.state {
			case rowRunning:
				running = append(running, r)
			case rowWaiting:
				waiting++
			default:
				done++
			}
		}
		if keep := max(c.maxRows-1, 0); len(running) > keep {
			running = running[:keep]
		}
		rows = running
		more = fmt.Sprintf("%d running, %d waiting, %d done", len(running), waiting, done)
	}
	lines := make([]string, 0, len(rows)+1)
	for _, r := range rows {
		phase, elapsed, state := r.phase, "", "waiting"
		if phase == "" {
			phase = "-"
		}
		switch r.state {
		case rowRunning:
			elapsed, state = formatDuration(now.Sub(r.start)), "running"
		case rowDone:
			elapsed, state = formatDuration(r.took), string(r.status)
		}
		lines = append(lines, c.fit(fmt.Sprintf("%-*s  %-*s  %7s  %s", c.width, r.host, phaseWidth, phase, elapsed, state)))
	}
	if more != "" {
		lines = append(lines, c.fit(more))
	}
	return lines
}

// fit truncates a live-view line to the terminal width: a wrapped line would take two screen
// lines and throw off the cursor movement that erases the view.
func (c *console) fit(s string) string {
	if c.cols <= 1 || utf8.RuneCountInString(s) < c.cols {
		return s
	}
	return string([]rune(s)[:c.cols-1])
}

// formatDuration keeps a tenth of a second below a minute, where it helps compare hosts, and
// whole seconds above.
func formatDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}
