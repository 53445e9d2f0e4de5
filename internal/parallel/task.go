package parallel

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// maxLine bounds how much of an unterminated line is held back; a stream that never writes a
// newline (a progress bar) is then shown in pieces instead of growing without bound.
const maxLine = 64 << 10

// logTime is the timestamp on each line of the log files; the run directory name carries the date.
const logTime = "15:04:05.000"

// errTaskDone is returned by writes that arrive after the job returned, when the host's output
// has been flushed and its log files closed.
var errTaskDone = errors.New("job already returned")

// Task is a job's handle on its host: output, phase, extra report columns. All methods are safe
// for concurrent use by the job's goroutines.
type Task struct {
	host string
	con  *console
	now  func() time.Time
	dir  string // run directory; empty when no log files are kept

	mu       sync.Mutex
	phase    string
	entered  time.Time   // when the current phase began
	phases   []PhaseTime // time spent in each phase so far, in the order first entered
	fields   map[string]string
	log      *os.File // <dir>/<host>.log
	phaseLog *os.File // <dir>/<host>/<phase>.log
	logErr   error
	done     bool
	main     *lineBuffer
	streams  []*lineBuffer
}

func newTask(host string, con *console, now func() time.Time, dir string) (*Task, error) {
	t := &Task{host: host, con: con, now: now, dir: dir, fields: map[string]string{}}
	t.main = t.newStream()
	if dir != "" {
		f, err := os.OpenFile(filepath.Join(dir, logName(host)+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("parallel: host %s: open log: %w", host, err)
		}
		t.log = f
	}
	return t, nil
}

// logName is a unit's name as a file name: a MicroVM's HOST/VM is one file, HOST_VM.
func logName(host string) string { return strings.ReplaceAll(host, "/", "_") }

// Host is the name of the host the job runs for.
func (t *Task) Host() string { return t.host }

// Write prints p as the host's output. Partial lines are held until their newline (or until the
// job returns), so what appears is always whole lines.
func (t *Task) Write(p []byte) (int, error) { return t.main.Write(p) }

// Stream returns another line-buffered writer for the host. Give each concurrently written
// stream its own, such as a command's Stdout and Stderr: two streams sharing one buffer would
// splice their partial lines together. Streams are flushed when the job returns.
func (t *Task) Stream() io.Writer {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.newStream()
}

func (t *Task) newStream() *lineBuffer {
	b := &lineBuffer{emit: t.emit}
	t.streams = append(t.streams, b)
	return b
}

// Logf prints a message as whole lines of the host's output; a trailing newline is implied.
func (t *Task) Logf(format string, args ...any) {
	msg := strings.TrimSuffix(fmt.Sprintf(format, args...), "\n")
	for _, line := range strings.Split(msg, "\n") {
		// A Logf after the job returned has nowhere to go; Write reports that case.
		_ = t.emit(line)
	}
}

// Record keeps line in the host's log files (<host>.log and the phase's log) without showing it:
// detail too long for the console, such as every line of a build's log, that the run directory
// must still hold. A Record after the job returned is dropped.
func (t *Task) Record(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return
	}
	t.logLocked(t.log, line)
	t.logLocked(t.phaseLog, line)
}

// Phase marks the step the job is in ("build", "copy", "activate"). It is shown in the progress
// view, becomes the failed phase if the job fails, and from now on output also goes to
// <run dir>/<host>/<phase>.log.
func (t *Task) Phase(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done || name == t.phase {
		return
	}
	t.closePhaseLogLocked()
	t.leavePhaseLocked()
	t.phase, t.entered = name, t.now()
	t.logLocked(t.log, "-- phase "+name)
	if t.dir != "" && name != "" {
		if err := t.openPhaseLogLocked(name); err != nil {
			t.noteLogErr(fmt.Errorf("phase %s: open log: %w", name, err))
		}
	}
	t.con.phase(t.host, name)
}

// PhaseTime is how long a job spent in one phase; a phase entered twice counts both stays.
type PhaseTime struct {
	Name     string
	Duration time.Duration
}

// leavePhaseLocked adds the time since the current phase began to its total.
func (t *Task) leavePhaseLocked() {
	if t.phase == "" {
		return
	}
	d := t.now().Sub(t.entered)
	for i := range t.phases {
		if t.phases[i].Name == t.phase {
			t.phases[i].Duration += d
			return
		}
	}
	t.phases = append(t.phases, PhaseTime{Name: t.phase, Duration: d})
}

// Phases is the time the job has spent in each phase, the current one up to now, in the order
// the phases were first entered.
func (t *Task) Phases() []PhaseTime {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := slices.Clone(t.phases)
	if t.phase != "" && !t.done {
		d := t.now().Sub(t.entered)
		if i := slices.IndexFunc(out, func(p PhaseTime) bool { return p.Name == t.phase }); i >= 0 {
			out[i].Duration += d
		} else {
			out = append(out, PhaseTime{Name: t.phase, Duration: d})
		}
	}
	return out
}

// CurrentPhase is the step the job is in, the one it fails in if it fails now.
func (t *Task) CurrentPhase() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.phase
}

// Set adds a column to the host's row of the summary (for example "generation" or "store path").
// Setting a key again replaces the value.
func (t *Task) Set(key, value string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fields[key] = value
}

// emit sends one complete line to the console and the log files.
func (t *Task) emit(line string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return fmt.Errorf("parallel: host %s: write: %w", t.host, errTaskDone)
	}
	t.con.hostLine(t.host, sepOutput, line)
	t.logLocked(t.log, line)
	t.logLocked(t.phaseLog, line)
	return nil
}

func (t *Task) logLocked(f *os.File, line string) {
	if f == nil {
		return
	}
	if _, err := fmt.Fprintf(f, "%s %s\n", t.now().UTC().Format(logTime), line); err != nil {
		t.noteLogErr(fmt.Errorf("write log: %w", err))
	}
}

// noteLogErr keeps the first log-file failure: the job goes on (its console output is intact)
// and Run returns the error at the end.
func (t *Task) noteLogErr(err error) {
	if t.logErr == nil {
		t.logErr = fmt.Errorf("parallel: host %s: %w", t.host, err)
	}
}

// openPhaseLogLocked appends, so a phase entered twice keeps both parts in one file.
func (t *Task) openPhaseLogLocked(name string) error {
	dir := filepath.Join(t.dir, logName(t.host))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, fileName(name)+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	t.phaseLog = f
	return nil
}

func (t *Task) closePhaseLogLocked() {
	if t.phaseLog == nil {
		return
	}
	if err := t.phaseLog.Close(); err != nil {
		t.noteLogErr(fmt.Errorf("phase %s: close log: %w", t.phase, err))
	}
	t.phaseLog = nil
}

// flush emits what the job's streams hold of an unterminated last line.
func (t *Task) flush() {
	t.mu.Lock()
	streams := append([]*lineBuffer(nil), t.streams...)
	t.mu.Unlock()
	for _, s := range streams {
		s.flush()
	}
}

// snapshot returns the current phase and a copy of the extra columns.
func (t *Task) snapshot() (string, map[string]string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.phase, maps.Clone(t.fields)
}

// finish records the outcome in the host's log, closes its log files and refuses further output.
// It returns the first log-file error of the host.
func (t *Task) finish(res HostResult, started bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.leavePhaseLocked()
	t.done = true
	t.closePhaseLogLocked()
	t.logLocked(t.log, "-- "+strings.ReplaceAll(outcomeLine(res, started), "\n", "\n   "))
	if t.log != nil {
		if err := t.log.Close(); err != nil {
			t.noteLogErr(fmt.Errorf("close log: %w", err))
		}
		t.log = nil
	}
	return t.logErr
}

// lineBuffer turns arbitrary Write chunks into whole lines.
type lineBuffer struct {
	mu      sync.Mutex
	pending []byte
	emit    func(line string) error
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for rest := p; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			b.pending = append(b.pending, rest...)
			if len(b.pending) >= maxLine {
				if err := b.emitLocked(); err != nil {
					return 0, err
				}
			}
			break
		}
		b.pending = append(b.pending, rest[:i]...)
		if err := b.emitLocked(); err != nil {
			return 0, err
		}
		rest = rest[i+1:]
	}
	return len(p), nil
}

func (b *lineBuffer) emitLocked() error {
	line := strings.TrimSuffix(string(b.pending), "\r")
	b.pending = b.pending[:0]
	return b.emit(line)
}

func (b *lineBuffer) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) > 0 {
		// flush runs before the task is marked done, so emit cannot refuse.
		_ = b.emitLocked()
	}
}

// fileName makes a phase or run name safe as a single path element.
func fileName(s string) string {
	out := []rune(s)
	for i, r := range out {
		ok := r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !ok {
			out[i] = '-'
		}
	}
	if s := string(out); s != "" && s != "." && s != ".." {
		return s
	}
	return "_"
}
