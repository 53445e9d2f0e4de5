package nixoptions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

// Finding is one defect: an option that does not exist in the release, a value of the wrong
// kind, an alias the release warns about, or a read of a path that is no option.
type Finding struct {
	Pos    Pos
	Kind   string // missing | type | renamed | read
	Option string // the option path (as far as it goes) the finding is about
	Msg    string
}

// Finding kinds.
const (
	FindMissing = "missing"
	FindType    = "type"
	FindRenamed = "renamed"
	FindRead    = "read"
)

func (f Finding) String() string { return f.Pos.String() + ": " + f.Msg }

// Options configures Check. Zero values take the repository's defaults.
type Options struct {
	Root     string    // the tree whose Nix is checked
	NixDir   string    // where options-check.nix lives; default Root/nix
	Manifest *Manifest // default: LoadManifest(Root/ManifestFile)
	Files    []File    // default: RepoFiles(Root)
	Hosts    []string  // default: RepoHosts(Root)
	MaxRuns  int       // bound on re-runs after bad reads (each finds one); default 40
}

func (o *Options) maxRuns() int {
	if o.MaxRuns > 0 {
		return o.MaxRuns
	}
	return 40
}

// Report is what Check found, and what it saw (for the collect mode).
type Report struct {
	Findings []Finding
	Files    int
	Hosts    int
	Runs     int                 // nix-instantiate runs (one, plus one per bad read found)
	Set      map[string][]Pos    // option path (manifest form) -> where it is set
	Raw      map[string]struct{} // every attribute path the files define, down to non-set values
	Unknown  map[string]struct{} // options set to values that cannot be evaluated offline
	// SetBy is, per evaluated file (relative to Root), the option paths its definitions set,
	// wherever the attribute is written: a language feature's module sets what the builder it
	// imports (nix/language-module.nix) writes, which Set places in the builder.
	SetBy map[string]map[string]bool
	// Declared are the options the hub's modules declare themselves (hub.*, the features'),
	// in the order the evaluation lists them.
	Declared []Declared
}

// Declared is one option a hub module declares, as its declaration says.
type Declared struct {
	Path        []string // nixpkgs' documentation form: <name> and * for submodule collections
	Pos         Pos      // where it is declared (File alone when nix gives no position)
	Type        string   // nixpkgs' type description, e.g. "list of string"
	Description string
	// Default is the defaultText when the declaration has one, else the default as JSON
	// (functions, packages and values computed from nixpkgs options as "<function>",
	// "<package>", "<computed>"); "" when the option has no default.
	Default string
}

type declaredDefault struct {
	Text  *string         `json:"text"`
	Value json.RawMessage `json:"value"`
}

// Err is nil when there are no findings, else every finding, one per line.
func (r *Report) Err() error {
	if len(r.Findings) == 0 {
		return nil
	}
	lines := make([]string, len(r.Findings))
	for i, f := range r.Findings {
		lines[i] = f.String()
	}
	return fmt.Errorf("%d option problems against nixos-25.11 (manifest %s):\n%s", len(r.Findings), ManifestFile, strings.Join(lines, "\n"))
}

// evalOutput is nix/options-check.nix's result. Options are nix/option-declarations.nix's
// declarations (the one reader, which internal/features uses too).
type evalOutput struct {
	Defs []struct {
		File string `json:"file"`
		Host string `json:"host"`
		S    Shape  `json:"s"`
	} `json:"defs"`
	Options []struct {
		Path        []string         `json:"path"`
		File        string           `json:"file"`
		Pos         *Pos             `json:"pos"`
		Type        string           `json:"type"`
		Description string           `json:"description"`
		Default     *declaredDefault `json:"default"`
	} `json:"options"`
	LibNames  []string `json:"libNames"`
	TypeNames []string `json:"typeNames"`
	IntNames  []string `json:"intNames"`
}

// Check evaluates every file of opts with nix/options-check.nix and walks what they define
// against the manifest and the options the hub declares itself.
func Check(ctx context.Context, opts Options) (*Report, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	idx, err := newIndex(opts.Manifest)
	if err != nil {
		return nil, err
	}
	rep := &Report{Files: len(opts.Files), Hosts: len(opts.Hosts), Set: map[string][]Pos{}, SetBy: map[string]map[string]bool{}, Raw: map[string]struct{}{}, Unknown: map[string]struct{}{}}
	var (
		extra []string
		out   *evalOutput
		seen  = map[string]bool{}
	)
	for {
		rep.Runs++
		o, stderr, err := runCheck(ctx, opts, idx, extra)
		if err == nil {
			out = o
			break
		}
		if stderr == "" {
			return nil, err
		}
		name, pos, ok := parseMissing(stderr, opts.Root)
		if !ok || seen[name+"@"+pos.String()] || rep.Runs >= opts.maxRuns() {
			return nil, fmt.Errorf("nix/options-check.nix: %s", firstLines(stderr, 12))
		}
		expr := selectionAt(opts.Root, pos)
		if strings.HasPrefix(expr, "lib.") {
			return nil, fmt.Errorf("%s: %s: nix/options-lib.nix does not provide it; add it there (with nixpkgs' semantics)", pos, expr)
		}
		seen[name+"@"+pos.String()] = true
		rep.Findings = append(rep.Findings, Finding{Pos: pos, Kind: FindRead, Option: expr,
			Msg: fmt.Sprintf("reads %s: %q is no option at that path in nixos-25.11 (manifest %s)", expr, name, ManifestFile)})
		extra = append(extra, name)
	}
	for _, o := range out.Options {
		p := Pos{File: o.File}
		if o.Pos != nil {
			p = relPos(*o.Pos, opts.Root)
		}
		if err := idx.addHub(o.Path, o.Type, p); err != nil {
			return nil, err
		}
		d := Declared{Path: o.Path, Pos: p, Type: o.Type, Description: o.Description}
		switch {
		case o.Default == nil:
		case o.Default.Text != nil:
			d.Default = *o.Default.Text
		default:
			d.Default = string(o.Default.Value)
		}
		rep.Declared = append(rep.Declared, d)
	}
	w := &walker{idx: idx, rep: rep, root: opts.Root, dedupe: map[string]bool{}}
	for _, d := range out.Defs {
		pos := relPos(Pos{File: d.File}, opts.Root)
		if rep.SetBy[pos.File] == nil {
			rep.SetBy[pos.File] = map[string]bool{}
		}
		w.setBy = rep.SetBy[pos.File]
		w.walk(nil, idx.root, &d.S, pos)
	}
	sort.SliceStable(rep.Findings, func(i, j int) bool {
		a, b := rep.Findings[i].Pos, rep.Findings[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return rep, nil
}

func (o *Options) defaults() error {
	if o.Root == "" {
		o.Root = "."
	}
	abs, err := filepath.Abs(o.Root)
	if err != nil {
		return err
	}
	o.Root = abs
	if o.NixDir == "" {
		o.NixDir = filepath.Join(o.Root, "nix")
	}
	if o.Manifest == nil {
		m, err := LoadManifest(filepath.Join(o.Root, ManifestFile))
		if err != nil {
			return err
		}
		o.Manifest = m
	}
	if o.Files == nil {
		fs, err := RepoFiles(o.Root)
		if err != nil {
			return err
		}
		o.Files = fs
	}
	if o.Hosts == nil {
		hs, err := RepoHosts(o.Root)
		if err != nil {
			return err
		}
		o.Hosts = hs
	}
	return nil
}

// runCheck runs nix-instantiate once. stderr is set when Nix itself reported an error.
func runCheck(ctx context.Context, opts Options, idx *index, extra []string) (*evalOutput, string, error) {
	type reqOption struct {
		Path   []string `json:"path"`
		Opaque bool     `json:"opaque"`
		Type   string   `json:"type"`
	}
	req := struct {
		Root       string      `json:"root"`
		Files      []File      `json:"files"`
		Hosts      []string    `json:"hosts"`
		Options    []reqOption `json:"options"`
		ExtraNames []string    `json:"extraNames"`
	}{Root: opts.Root, Files: opts.Files, Hosts: opts.Hosts, Options: []reqOption{}, ExtraNames: append([]string{}, extra...)}
	idx.each(func(path []string, n *node) {
		if n.opt != nil && !n.opt.hub {
			req.Options = append(req.Options, reqOption{Path: path, Opaque: n.opaque(), Type: n.opt.desc})
		}
	})
	data, err := json.Marshal(req)
	if err != nil {
		return nil, "", err
	}
	f, err := os.CreateTemp("", "hub-options-request-*.json")
	if err != nil {
		return nil, "", err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, "", err
	}
	f.Close()
	// A pure evaluation: the dummy store keeps it off the machine's store (internal/nix).
	res, err := nix.On((&command.Executor{}).Local(), nix.Settings{}).Instantiate(ctx, nil, "--eval", "--strict", "--json",
		filepath.Join(opts.NixDir, "options-check.nix"), "--argstr", "requestFile", f.Name())
	var xe *command.ExitError
	if errors.As(err, &xe) {
		return nil, xe.Stderr, err
	}
	if err != nil {
		return nil, "", fmt.Errorf("nix-instantiate: %w", err)
	}
	var out evalOutput
	if err := json.Unmarshal(res.Stdout, &out); err != nil {
		return nil, "", fmt.Errorf("nix/options-check.nix output: %w", err)
	}
	return &out, "", nil
}

var missingRe = regexp.MustCompile(`error: attribute '([^']+)' missing[\s\S]*?\bat (/[^:\s]+):(\d+):(\d+)`)

// parseMissing reads nix's "attribute 'X' missing ... at FILE:LINE:COL" when FILE is inside root.
func parseMissing(stderr, root string) (string, Pos, bool) {
	m := missingRe.FindStringSubmatch(stderr)
	if m == nil {
		return "", Pos{}, false
	}
	var p Pos
	p.File = m[2]
	fmt.Sscan(m[3], &p.Line)
	fmt.Sscan(m[4], &p.Column)
	rel, err := filepath.Rel(root, p.File)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", Pos{}, false
	}
	p.File = filepath.ToSlash(rel)
	return m[1], p, true
}

var selectRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_'-]*(\.("[^"]*"|\$\{[^}]*\}|[A-Za-z_][A-Za-z0-9_'-]*))*`)

// selectionAt is the attribute selection Nix pointed at (config.services.x.y, or cfg.y through an
// alias), read from the source.
func selectionAt(root string, p Pos) string {
	data, err := os.ReadFile(filepath.Join(root, p.File))
	if err != nil {
		return "an attribute"
	}
	lines := strings.Split(string(data), "\n")
	if p.Line < 1 || p.Line > len(lines) || p.Column < 1 || p.Column > len(lines[p.Line-1]) {
		return "an attribute"
	}
	if s := selectRe.FindString(lines[p.Line-1][p.Column-1:]); s != "" {
		return s
	}
	return "an attribute"
}

func relPos(p Pos, root string) Pos {
	if rel, err := filepath.Rel(root, p.File); err == nil && !strings.HasPrefix(rel, "..") {
		p.File = filepath.ToSlash(rel)
	}
	return p
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// --- the option index -----------------------------------------------------------------------

type optInfo struct {
	path      string
	typ       *Type
	desc      string
	renamedTo string
	hub       bool
	pos       Pos // hub options: where they are declared
}

type node struct {
	opt      *optInfo
	children map[string]*node
}

type index struct{ root *node }

func newIndex(m *Manifest) (*index, error) {
	idx := &index{root: &node{children: map[string]*node{}}}
	for _, p := range m.Paths() {
		o := m.Options[p]
		segs, err := ParsePath(p)
		if err != nil {
			return nil, err
		}
		t, err := ParseType(o.Type)
		if err != nil {
			return nil, fmt.Errorf("options manifest: option %s: %w", p, err)
		}
		idx.insert(segs, &optInfo{path: FormatPath(segs), typ: t, desc: o.Type, renamedTo: o.RenamedTo})
	}
	return idx, nil
}

func (idx *index) insert(segs []string, o *optInfo) {
	n := idx.root
	for _, s := range segs {
		c := n.children[s]
		if c == nil {
			c = &node{children: map[string]*node{}}
			n.children[s] = c
		}
		n = c
	}
	if n.opt == nil {
		n.opt = o
	}
}

func (idx *index) addHub(path []string, desc string, pos Pos) error {
	t, err := ParseType(desc)
	if err != nil {
		return fmt.Errorf("%s: option %s: %w", pos, FormatPath(path), err)
	}
	idx.insert(path, &optInfo{path: FormatPath(path), typ: t, desc: desc, hub: true, pos: pos})
	return nil
}

func (idx *index) each(f func([]string, *node)) {
	var rec func([]string, *node)
	rec = func(p []string, n *node) {
		f(p, n)
		names := make([]string, 0, len(n.children))
		for c := range n.children {
			names = append(names, c)
		}
		sort.Strings(names)
		for _, c := range names {
			rec(append(append([]string(nil), p...), c), n.children[c])
		}
	}
	rec(nil, idx.root)
}

// opaque: reading the option yields a value, not a set of its sub-options (a leaf, a freeform
// option, an attribute set or list of submodules).
func (n *node) opaque() bool {
	if len(n.children) == 0 || n.children["<name>"] != nil || n.children["*"] != nil {
		return true
	}
	return n.opt != nil && n.opt.typ.freeform() != nil
}

func (n *node) child(name string) *node {
	if c := n.children[name]; c != nil {
		return c
	}
	return n.children["<name>"]
}

func (n *node) childNames() []string {
	var ns []string
	for c := range n.children {
		ns = append(ns, c)
	}
	sort.Strings(ns)
	if len(ns) > 12 {
		ns = append(ns[:12], "...")
	}
	return ns
}

// --- the walk ---------------------------------------------------------------------------------

type walker struct {
	idx    *index
	rep    *Report
	root   string
	dedupe map[string]bool
	setBy  map[string]bool // the current file's entry of rep.SetBy
}

func (w *walker) report(f Finding) {
	f.Pos = relPos(f.Pos, w.root)
	key := f.Pos.String() + "\x00" + f.Msg
	if !w.dedupe[key] {
		w.dedupe[key] = true
		w.rep.Findings = append(w.rep.Findings, f)
	}
}

// walk follows a definition at path down the option tree: through groups of options, into the
// sub-options of submodules, and stops at an option to check the value's type.
func (w *walker) walk(path []string, n *node, s *Shape, pos Pos) {
	for _, s := range s.unwrap() {
		w.walkOne(path, n, s, pos)
	}
}

func (w *walker) walkOne(path []string, n *node, s *Shape, pos Pos) {
	// raw paths: every attribute path down to a value that is not an attribute set (or is empty)
	if len(path) > 0 && (s.K != "attrs" || len(s.Attrs) == 0) {
		w.rep.Raw[FormatPath(path)] = struct{}{}
	}
	if n == nil {
		return
	}
	if n.opt != nil && len(path) > 0 {
		w.rep.Set[n.opt.path] = append(w.rep.Set[n.opt.path], relPos(pos, w.root))
		w.setBy[n.opt.path] = true
		if n.opt.renamedTo != "" {
			w.report(Finding{Pos: pos, Kind: FindRenamed, Option: n.opt.path,
				Msg: fmt.Sprintf("option %s is an alias of %s in nixos-25.11 (evaluation warns): set %s", n.opt.path, n.opt.renamedTo, n.opt.renamedTo)})
		}
		if s.K == "unknown" {
			w.rep.Unknown[n.opt.path] = struct{}{}
			return
		}
		if len(n.children) == 0 {
			w.typeCheck(n.opt, s, pos)
			return
		}
		// An option with sub-options: a submodule, or a set or list of them.
		if s.K == "list" && n.children["*"] != nil {
			for i := range s.Items {
				w.walk(append(path, "*"), n.children["*"], &s.Items[i], pos)
			}
			return
		}
		if s.K != "attrs" {
			w.typeCheck(n.opt, s, pos)
			return
		}
		free := n.opt.typ.freeform()
		for _, name := range s.names() {
			a := s.Attrs[name]
			p := append(append([]string(nil), path...), name)
			if c := n.child(name); c != nil {
				w.walk(p, c, &a.S, a.Pos.or(pos))
			} else if free != nil {
				for _, pr := range free.Check(&a.S, a.Pos.or(pos)) {
					w.typeProblem(n.opt, []string{name}, pr)
				}
			} else {
				w.missing(p, n, a.Pos.or(pos))
			}
		}
		return
	}
	if s.K == "unknown" {
		return
	}
	if s.K != "attrs" {
		if len(path) > 0 {
			w.report(Finding{Pos: pos, Kind: FindType, Option: FormatPath(path),
				Msg: fmt.Sprintf("%s is a group of options in nixos-25.11, not an option: it takes an attribute set, not %s", FormatPath(path), s.describe())})
		}
		return
	}
	for _, name := range s.names() {
		a := s.Attrs[name]
		p := append(append([]string(nil), path...), name)
		if c := n.child(name); c != nil {
			w.walk(p, c, &a.S, a.Pos.or(pos))
		} else {
			w.missing(p, n, a.Pos.or(pos))
			w.rawBelow(p, &a.S)
		}
	}
}

func (w *walker) rawBelow(path []string, s *Shape) {
	for _, s := range s.unwrap() {
		if s.K != "attrs" || len(s.Attrs) == 0 {
			w.rep.Raw[FormatPath(path)] = struct{}{}
			continue
		}
		for _, name := range s.names() {
			a := s.Attrs[name]
			w.rawBelow(append(append([]string(nil), path...), name), &a.S)
		}
	}
}

func (w *walker) missing(path []string, parent *node, pos Pos) {
	op := FormatPath(path)
	msg := fmt.Sprintf("option %s does not exist in nixos-25.11 (manifest %s)", op, ManifestFile)
	if len(path) > 1 && len(parent.children) > 0 {
		msg += fmt.Sprintf("; %s has %s", FormatPath(path[:len(path)-1]), strings.Join(parent.childNames(), ", "))
	}
	w.report(Finding{Pos: pos, Kind: FindMissing, Option: op, Msg: msg})
}

func (w *walker) typeCheck(o *optInfo, s *Shape, pos Pos) {
	for _, pr := range o.typ.Check(s, pos) {
		w.typeProblem(o, nil, pr)
	}
}

func (w *walker) typeProblem(o *optInfo, sub []string, pr Problem) {
	at := ""
	if p := append(append([]string(nil), sub...), pr.Path...); len(p) > 0 {
		at = " (at " + FormatPath(p) + ")"
	}
	w.report(Finding{Pos: pr.Pos, Kind: FindType, Option: o.path,
		Msg: fmt.Sprintf("option %s%s: %s", o.path, at, pr.Msg)})
}
