// Package nixlint lints the hub's Nix files offline, with no nixpkgs and no tool beyond Go:
// statix's and deadnix's most useful checks (dead let bindings, unused formal arguments,
// `let in` with nothing bound, comparisons with true/false, `a = a;` where inherit says it,
// deprecated builtins) and the hub's own rule that a module has no
// top-level `with`. Syntax is nix-syntax's job (nix-instantiate --parse); this lexes the
// files itself, so the findings carry file:line.
//
// A finding that is intended is kept with a `# nixlint: allow RULE` comment on its line or
// the line above it.
//
// Entry points: [Check] lints the tree and [Err] turns its [Finding]s into the run's error.
package nixlint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/nixos-hub/hub/internal/nixparse"
)

// Finding is one lint finding.
type Finding struct {
	File string // relative to the root
	Line int
	Rule string
	Msg  string
}

func (f Finding) String() string { return fmt.Sprintf("%s:%d: %s: %s", f.File, f.Line, f.Rule, f.Msg) }

// rules are the rule names with what each finds, for docs and -h.
var rules = []struct{ Name, Doc string }{
	{"dead-let", "a let binding nothing uses"},
	{"unused-arg", "a formal argument of a set with ... ({ a, ... }:) the function body never uses"},
	{"empty-let", "let in with nothing bound"},
	{"bool-compare", "x == true, x != false: use x, !x"},
	{"manual-inherit", "a = a; in an attribute set: inherit a;"},
	{"top-level-with", "with at the top of a file: every name's origin becomes a guess; scope it to the list that needs it"},
	{"deprecated", "a deprecated builtin (builtins.toPath, isNull)"},
}

var allow = regexp.MustCompile(`nixlint:\s*allow\s+([a-z-]+(?:\s*,\s*[a-z-]+)*)`)

// Check lints every .nix file under root but test data, and returns the files checked and
// the findings, sorted by file and line.
func Check(ctx context.Context, root string) (int, []Finding, error) {
	all, err := nixparse.Files(root)
	if err != nil {
		return 0, nil, err
	}
	var files []string
	for _, f := range all {
		if !slices.Contains(strings.Split(filepath.ToSlash(f), "/"), "testdata") {
			files = append(files, f)
		}
	}
	var out []Finding
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return 0, nil, err
		}
		src, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return 0, nil, err
		}
		fs, err := lint(f, string(src))
		if err != nil {
			return 0, nil, err
		}
		out = append(out, fs...)
	}
	return len(files), out, nil
}

// Err is nil without findings, else one error naming how many.
func Err(fs []Finding) error {
	if len(fs) == 0 {
		return nil
	}
	return fmt.Errorf("%d Nix lint finding(s), first %s (keep an intended one with `# nixlint: allow %s`)", len(fs), fs[0], fs[0].Rule)
}

// lint lints one file's source; name is used in findings and errors.
func lint(name, src string) ([]Finding, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	l := &linter{name: name, toks: toks}
	l.refs = l.references()
	l.lets()
	l.formals()
	l.patterns()
	lines := strings.Split(src, "\n")
	allowed := func(f Finding) bool {
		for _, n := range []int{f.Line - 1, f.Line - 2} {
			if n >= 0 && n < len(lines) {
				if m := allow.FindStringSubmatch(lines[n]); m != nil {
					for _, r := range strings.Split(m[1], ",") {
						if strings.TrimSpace(r) == f.Rule {
							return true
						}
					}
				}
			}
		}
		return false
	}
	out := slices.DeleteFunc(l.out, allowed)
	slices.SortStableFunc(out, func(a, b Finding) int { return a.Line - b.Line })
	return out, nil
}

type linter struct {
	name string
	toks []token
	refs map[string]int // identifier -> number of references (not bindings, not attribute names)
	out  []Finding
}

func (l *linter) add(line int, rule, format string, args ...any) {
	l.out = append(l.out, Finding{File: l.name, Line: line, Rule: rule, Msg: fmt.Sprintf(format, args...)})
}

func (l *linter) tok(i int) token {
	if i < 0 || i >= len(l.toks) {
		return token{kind: tOp}
	}
	return l.toks[i]
}

func (l *linter) isOp(i int, ops ...string) bool {
	t := l.tok(i)
	return t.kind == tOp && slices.Contains(ops, t.text)
}

// bindingStart says whether token i may start a binding (attribute set or let): it follows
// {, ; or let.
func (l *linter) bindingStart(i int) bool {
	p := l.tok(i - 1)
	return p.kind == tOp && (p.text == "{" || p.text == ";") || p.kind == tIdent && p.text == "let"
}

// attrPathEnd returns the index of the = ending the attribute path that starts at i, or -1.
func (l *linter) attrPathEnd(i int) int {
	for j := i; j < len(l.toks); j += 2 {
		t := l.tok(j)
		if t.kind != tIdent && t.kind != tString {
			return -1
		}
		if l.isOp(j+1, "=") {
			return j + 1
		}
		if !l.isOp(j+1, ".") {
			return -1
		}
	}
	return -1
}

// inheritFrom says whether the inherit at i has a source: inherit (x) names;.
func (l *linter) inheritFrom(i int) bool { return l.isOp(i+1, "(") }

// references counts every identifier use: not after a dot (a selection), not an attribute
// name being defined, not a formal argument, not a name inherit (x) defines.
func (l *linter) references() map[string]int {
	notRef := map[int]bool{}
	for i, t := range l.toks {
		if t.kind == tIdent && l.bindingStart(i) && t.text != "inherit" {
			if end := l.attrPathEnd(i); end > 0 {
				for j := i; j < end; j++ {
					notRef[j] = true
				}
			}
		}
		if t.kind == tIdent && t.text == "inherit" && l.inheritFrom(i) {
			j := l.closing(i + 1)
			for j++; j < len(l.toks) && !l.isOp(j, ";"); j++ {
				notRef[j] = true
			}
		}
	}
	formal := map[int]bool{}
	for _, f := range l.formalSets() {
		for _, a := range f.args {
			notRef[a], formal[a] = true, true
		}
	}
	refs := map[string]int{}
	for i, t := range l.toks {
		if t.kind != tIdent || notRef[i] || l.isOp(i-1, ".") || keyword(t.text) {
			continue
		}
		// a ? b: b names an attribute, not a variable.
		if l.isOp(i-1, "?") && l.tok(i-2).kind != tOp && !formal[i-2] {
			continue
		}
		refs[t.text]++
	}
	return refs
}

func keyword(s string) bool {
	switch s {
	case "let", "in", "with", "rec", "inherit", "if", "then", "else", "assert", "or":
		return true
	}
	return false
}

// closing returns the index of the bracket matching the one at i.
func (l *linter) closing(i int) int {
	depth := 0
	for j := i; j < len(l.toks); j++ {
		switch {
		case l.isOp(j, "(", "{", "[", "${"):
			depth++
		case l.isOp(j, ")", "}", "]"):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(l.toks) - 1
}

// lets finds each let's bindings and reports the ones never referenced, and empty lets.
func (l *linter) lets() {
	for i, t := range l.toks {
		if t.kind != tIdent || t.text != "let" || l.isOp(i+1, "{") { // let { } is the legacy form
			continue
		}
		bound := 0
		depth := 0
		for j := i + 1; j < len(l.toks); j++ {
			u := l.tok(j)
			switch {
			case l.isOp(j, "(", "{", "[", "${"):
				depth++
				continue
			case l.isOp(j, ")", "}", "]"):
				depth--
				continue
			case u.kind == tIdent && u.text == "let":
				depth++
				continue
			case u.kind == tIdent && u.text == "in":
				if depth == 0 {
					j = len(l.toks)
					continue
				}
				depth--
				continue
			}
			if depth != 0 || !(j == i+1 || l.isOp(j-1, ";")) || u.kind != tIdent {
				continue
			}
			if u.text == "inherit" {
				k := j + 1
				if l.inheritFrom(j) {
					k = l.closing(j+1) + 1
				}
				for ; k < len(l.toks) && !l.isOp(k, ";"); k++ {
					if n := l.tok(k); n.kind == tIdent {
						bound++
						if l.refs[n.text] == 0 || !l.inheritFrom(j) && l.refs[n.text] == 1 {
							l.add(n.line, "dead-let", "let binding %s is never used", n.text)
						}
					}
				}
				continue
			}
			if l.attrPathEnd(j) > 0 {
				bound++
				if l.refs[u.text] == 0 {
					l.add(u.line, "dead-let", "let binding %s is never used", u.text)
				}
			}
		}
		if bound == 0 && l.tok(i+1).kind == tIdent && l.tok(i+1).text == "in" {
			l.add(t.line, "empty-let", "let in binds nothing: drop it")
		}
	}
}

type formalSet struct {
	open     int
	args     []int // token indexes of the argument names
	ellipsis bool  // the set ends in ...: the caller may pass more than it names
}

// formalSets finds the { a, b ? x, ... }: patterns.
func (l *linter) formalSets() []formalSet {
	var out []formalSet
	for i := range l.toks {
		if !l.isOp(i, "{") {
			continue
		}
		end := l.closing(i)
		if !(l.isOp(end+1, ":") || l.isOp(end+1, "@") && l.tok(end+2).kind == tIdent && l.isOp(end+3, ":")) {
			continue
		}
		f := formalSet{open: i}
		ok := true
		for j := i + 1; j < end; {
			t := l.tok(j)
			if l.isOp(j, "...") {
				f.ellipsis = true
				j++
			} else if t.kind == tIdent && l.isOp(j+1, ",", "}", "?") {
				f.args = append(f.args, j)
				j++
				if l.isOp(j, "?") { // skip the default, up to the next top-level , or }
					depth := 0
					for ; j < end; j++ {
						if l.isOp(j, "(", "{", "[", "${") {
							depth++
						} else if l.isOp(j, ")", "}", "]") {
							depth--
						} else if depth == 0 && l.isOp(j, ",") {
							break
						}
					}
				}
			} else {
				ok = false
				break
			}
			if l.isOp(j, ",") {
				j++
			}
		}
		if ok {
			out = append(out, f)
		}
	}
	return out
}

// formals reports arguments of a formal set that nothing references. Only in sets with ...:
// without it every argument the caller passes must be named (a flake's outputs = { self }:).
func (l *linter) formals() {
	for _, f := range l.formalSets() {
		if !f.ellipsis {
			continue
		}
		for _, a := range f.args {
			t := l.tok(a)
			if l.refs[t.text] == 0 {
				l.add(t.line, "unused-arg", "argument %s is never used: drop it (the module system passes what is named, and `...` takes the rest)", t.text)
			}
		}
	}
}

// patterns are the token-pattern rules.
func (l *linter) patterns() {
	depth := 0
	for i, t := range l.toks {
		switch {
		case l.isOp(i, "(", "{", "[", "${"):
			depth++
		case l.isOp(i, ")", "}", "]"):
			depth--
		}
		if l.isOp(i, "==", "!=") {
			for _, side := range []int{i - 1, i + 1} {
				if s := l.tok(side); s.kind == tIdent && (s.text == "true" || s.text == "false") && !l.isOp(side-1, ".") && !l.isOp(side+1, ".") {
					l.add(t.line, "bool-compare", "comparison with %s: use the value itself (or !value)", s.text)
				}
			}
		}
		if t.kind == tIdent && t.text == "with" && depth == 0 {
			l.add(t.line, "top-level-with", "with %s at the top of the file: scope it to the expression that needs it (e.g. environment.systemPackages = with pkgs; [ ... ])", l.tok(i+1).text)
		}
		if t.kind == tIdent && l.bindingStart(i) && l.isOp(i+1, "=") && !keyword(t.text) {
			v := l.tok(i + 2)
			if v.kind == tIdent && v.text == t.text && l.isOp(i+3, ";") {
				l.add(t.line, "manual-inherit", "%s = %s;: write inherit %s;", t.text, t.text, t.text)
			}
		}
		if t.kind == tIdent && (t.text == "toPath" && l.isOp(i-1, ".") && l.tok(i-2).text == "builtins" ||
			t.text == "isNull" && !l.isOp(i+1, "=") && (!l.isOp(i-1, ".") || l.tok(i-2).text == "builtins")) {
			l.add(t.line, "deprecated", "%s is deprecated (Nix manual): %s", t.text, map[string]string{"toPath": "use a path or /. + s", "isNull": "use x == null"}[t.text])
		}
	}
}
