// Package nixprogress turns the stream nix writes with --log-format internal-json (on stderr,
// one "@nix {json}" line per event) into live progress per deploy target: of the derivations
// and paths a target's system needs (its dry run), how many are built and fetched, which are
// building now, which failed; plus the plain text nix would have printed (messages, and each
// build's log lines as "name> line"), for the run's logs and error messages.
//
// One nix-store --realise builds the systems of many hosts at once, so an event counts for
// every target whose plan holds its derivation or path: a library two hosts share is built
// once and counts for both.
package nixprogress

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Activity types of nix's internal-json log (libutil/logging.hh), the ones progress needs.
const (
	actCopyPath   = 100
	actBuild      = 105
	actSubstitute = 108
	resBuildLog   = 101
)

// Plan is what one target's build needs: the derivations to build and the paths to fetch.
type Plan struct {
	Build []string // .drv paths
	Fetch []string // store paths
}

// ParseDryRun reads the plan from what `nix-store --realise --dry-run` (or `nix build
// --dry-run`) prints: "these N derivations will be built:" and "these N paths will be fetched
// (...):" (or "this derivation"/"this path"), each followed by indented store paths.
func ParseDryRun(text string) Plan {
	var p Plan
	var into *[]string
	for _, l := range strings.Split(stripANSI(text), "\n") {
		trimmed := strings.TrimSpace(l)
		switch {
		case strings.HasSuffix(trimmed, "will be built:"):
			into = &p.Build
		case strings.Contains(trimmed, "will be fetched"):
			into = &p.Fetch
		case strings.HasPrefix(trimmed, "/nix/store/") && into != nil && l != trimmed:
			*into = append(*into, trimmed)
		default:
			into = nil
		}
	}
	return p
}

// Progress is one target's state.
type Progress struct {
	Built, ToBuild     int
	Fetched, ToFetch   int
	Failed             int
	Building, Fetching []string // names (store path without hash) being worked on now
}

// Remaining is what is neither done nor failed.
func (p Progress) Remaining() int {
	return p.ToBuild + p.ToFetch - p.Built - p.Fetched - p.Failed
}

func (p Progress) String() string {
	s := fmt.Sprintf("%d/%d built, %d/%d fetched, %d remaining", p.Built, p.ToBuild, p.Fetched, p.ToFetch, p.Remaining())
	if p.Failed > 0 {
		s += fmt.Sprintf(", %d failed", p.Failed)
	}
	if len(p.Building) > 0 {
		s += "; building " + strings.Join(p.Building, ", ")
	}
	if len(p.Fetching) > 0 {
		s += "; fetching " + strings.Join(p.Fetching, ", ")
	}
	return s
}

// Tracker consumes the stream. Write is safe for one writer (a command's stderr); the
// callbacks run from it.
type Tracker struct {
	// OnProgress is called with a target's new state whenever it changes.
	OnProgress func(target string, p Progress)
	// OnLine receives the plain text for a target: every message nix printed (for all
	// targets) and the log lines of the builds the target needs.
	OnLine func(target, line string)
	// OnDone is called with the path of every build (its .drv) and substitution (its store
	// path) that ended, whether it succeeded or failed, planned or not: the moment its output
	// may have become valid, so a caller can look instead of polling the store.
	OnDone func(path string)

	mu      sync.Mutex
	targets []string
	needs   map[string][]string // drv or store path -> targets that need it
	state   map[string]*Progress
	acts    map[int64]activity
	done    map[string]bool // drvs and paths finished (built, fetched or failed)
	pending []byte
	errors  []string
}

type activity struct {
	typ  int
	path string
}

// NewTracker tracks the targets' plans.
func NewTracker(plans map[string]Plan) *Tracker {
	t := &Tracker{needs: map[string][]string{}, state: map[string]*Progress{}, acts: map[int64]activity{}, done: map[string]bool{}}
	for target, p := range plans {
		t.targets = append(t.targets, target)
		t.state[target] = &Progress{ToBuild: len(p.Build), ToFetch: len(p.Fetch)}
		for _, x := range slices.Concat(p.Build, p.Fetch) {
			t.needs[x] = append(t.needs[x], target)
		}
	}
	slices.Sort(t.targets)
	return t
}

// Progress is the target's state now.
func (t *Tracker) Progress(target string) Progress {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p, ok := t.state[target]; ok {
		return clone(*p)
	}
	return Progress{}
}

// Errors are the error messages nix printed, as plain text (the builder that failed and its
// exit code, the derivations whose dependencies failed), for the error a target reports.
func (t *Tracker) Errors() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.errors)
}

// Write takes nix's stderr.
func (t *Tracker) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = append(t.pending, b...)
	for {
		i := bytes.IndexByte(t.pending, '\n')
		if i < 0 {
			break
		}
		line := string(t.pending[:i])
		t.pending = t.pending[i+1:]
		t.lineLocked(line)
	}
	return len(b), nil
}

// Close handles an unterminated last line.
func (t *Tracker) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.pending) > 0 {
		t.lineLocked(string(t.pending))
		t.pending = nil
	}
	return nil
}

type event struct {
	Action string            `json:"action"`
	ID     int64             `json:"id"`
	Type   int               `json:"type"`
	Level  int               `json:"level"`
	Msg    string            `json:"msg"`
	Text   string            `json:"text"`
	Fields []json.RawMessage `json:"fields"`
}

func (t *Tracker) lineLocked(line string) {
	raw, ok := strings.CutPrefix(line, "@nix ")
	var ev event
	if !ok || json.Unmarshal([]byte(raw), &ev) != nil {
		// Not an event: nix's plain stderr (an old nix, or a child that writes directly).
		t.textLocked("", stripANSI(line))
		return
	}
	switch ev.Action {
	case "msg":
		msg := stripANSI(ev.Msg)
		if ev.Level == 0 {
			t.errors = append(t.errors, msg)
			t.failedLocked(msg)
		}
		t.textLocked("", msg)
	case "start":
		path := field(ev.Fields, 0)
		switch ev.Type {
		case actBuild, actSubstitute, actCopyPath:
			t.acts[ev.ID] = activity{typ: ev.Type, path: path}
			if ev.Type == actCopyPath {
				return // a substitution's inner copy; counted by its actSubstitute
			}
			t.changeLocked(path)
		}
	case "stop":
		a, ok := t.acts[ev.ID]
		if !ok {
			return
		}
		delete(t.acts, ev.ID)
		if a.typ == actCopyPath {
			return
		}
		if t.OnDone != nil {
			t.OnDone(a.path)
		}
		if !t.done[a.path] {
			t.done[a.path] = true
			for _, target := range t.needs[a.path] {
				if a.typ == actBuild {
					t.state[target].Built++
				} else {
					t.state[target].Fetched++
				}
			}
		}
		t.changeLocked(a.path)
	case "result":
		if ev.Type != resBuildLog {
			return
		}
		a, ok := t.acts[ev.ID]
		if !ok {
			return
		}
		l := name(a.path) + "> " + stripANSI(field(ev.Fields, 0))
		for _, target := range t.needs[a.path] {
			if t.OnLine != nil {
				t.OnLine(target, l)
			}
		}
	}
}

// failedBuilder matches nix's "builder for '/nix/store/...drv' failed with exit code N" and
// "N dependencies of derivation '/nix/store/...drv' failed to build".
var failedBuilder = regexp.MustCompile(`(?:builder for|dependencies of derivation) '(/nix/store/[^']+\.drv)' failed`)

// failedLocked counts a failed derivation once, for the targets that need it. A build that
// failed also stops: marking it done first keeps the stop from counting it as built.
func (t *Tracker) failedLocked(msg string) {
	m := failedBuilder.FindStringSubmatch(msg)
	if m == nil || t.done[m[1]] {
		return
	}
	t.done[m[1]] = true
	for _, target := range t.needs[m[1]] {
		t.state[target].Failed++
	}
	t.changeLocked(m[1])
}

// changeLocked recomputes what is in flight for the targets that need path, and reports them.
func (t *Tracker) changeLocked(path string) {
	for _, target := range t.needs[path] {
		p := t.state[target]
		p.Building, p.Fetching = nil, nil
		for _, a := range t.acts {
			if !slices.Contains(t.needs[a.path], target) {
				continue
			}
			switch a.typ {
			case actBuild:
				p.Building = append(p.Building, name(a.path))
			case actSubstitute:
				p.Fetching = append(p.Fetching, name(a.path))
			}
		}
		slices.Sort(p.Building)
		slices.Sort(p.Fetching)
		if t.OnProgress != nil {
			t.OnProgress(target, clone(*p))
		}
	}
}

// textLocked sends a plain line to target, or to every target when target is "".
func (t *Tracker) textLocked(target, line string) {
	if t.OnLine == nil || strings.TrimSpace(line) == "" {
		return
	}
	if target != "" {
		t.OnLine(target, line)
		return
	}
	for _, tg := range t.targets {
		t.OnLine(tg, line)
	}
}

func clone(p Progress) Progress {
	p.Building, p.Fetching = slices.Clone(p.Building), slices.Clone(p.Fetching)
	return p
}

func field(fs []json.RawMessage, i int) string {
	if i >= len(fs) {
		return ""
	}
	var s string
	if json.Unmarshal(fs[i], &s) != nil {
		return string(fs[i])
	}
	return s
}

// name is a store path without its directory and hash, and without .drv.
func name(path string) string {
	base := path[strings.LastIndexByte(path, '/')+1:]
	if _, rest, ok := strings.Cut(base, "-"); ok {
		base = rest
	}
	return strings.TrimSuffix(base, ".drv")
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

func stripANSI(s string) string { return ansi.ReplaceAllString(s, "") }
