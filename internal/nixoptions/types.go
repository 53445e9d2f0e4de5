package nixoptions

import (
	"fmt"
	"strconv"
	"strings"
)

// Type is what a nixpkgs type description says about the values an option accepts, as far as
// a value's JSON-like kind shows it. Semantics beyond that (a port in use, a path that exists) are
// for a real evaluation.
type Type struct {
	Kind     string  // bool int float string path package attrs list null enum function any submodule union
	Elem     *Type   // list, attrs: the element type; submodule: the freeform type, if any
	Alts     []*Type // union
	Enum     []any   // enum: string, int64 or bool values
	Min, Max *int64  // int: inclusive bounds, when the description gives them
	Desc     string
}

// anyPhrases are descriptions whose values cannot be told apart by kind: formats' free values
// and nixpkgs' escape hatches.
var anyPhrases = map[string]bool{
	"anything": true, "unspecified value": true, "raw value": true, "YAML 1.1 value": true,
	"YAML value": true, "JSON value": true, "TOML value": true, "Nix value": true,
	"INI atom (null, bool, int, float or string)": true, "a list of them for duplicate keys": true,
	"systemd option": true, "sysctl option value": true, "Key-value value": true, "a non-empty list of them": true,
	"atom (null, bool, int, float or string)": true, "value": true,
	"Nix config atom (null, bool, int, float, str, path or package)": true,
	// microvm.nix's microvm.vms.<name>.config: a NixOS module (an attribute set or a function).
	"Toplevel NixOS config": true,
}

// ParseType reads a type description as nixpkgs' lib/types.nix composes them: "null or X",
// "X or Y" (either; the left side is never an unbracketed conjunction), "list of X",
// "attribute set of X", "one of "a", "b"", "open submodule of X", with nested compositions in
// parentheses where nixpkgs puts them.
func ParseType(desc string) (*Type, error) {
	t, err := parseType(strings.TrimSpace(desc))
	if err != nil {
		return nil, fmt.Errorf("type %q: %w", desc, err)
	}
	return t, nil
}

func parseType(s string) (*Type, error) {
	if inner, ok := unwrapParens(s); ok {
		return parseType(inner)
	}
	// "not containing newlines or colons" (passwdEntry) is one phrase, not an either.
	s = strings.ReplaceAll(s, "newlines or colons", "newlines\x00colons")
	if parts := splitTopLevel(s, " or "); len(parts) > 1 && !anyPhrases[s] {
		u, err := parseUnion(s, parts)
		// An enum is a conjunction, which either prints unbracketed on its left side
		// (zramSwap.algorithm: `one of "lz4", "zstd" or string`); a "one of" that does not
		// split into types is an enum alone.
		if err == nil || !strings.HasPrefix(s, "one of ") {
			return u, err
		}
	}
	for _, c := range []struct{ prefix, kind string }{
		{"list of ", "list"}, {"non-empty list of ", "list"},
		{"attribute set of ", "attrs"}, {"lazy attribute set of ", "attrs"},
		{"open submodule of ", "submodule"},
	} {
		if rest, ok := strings.CutPrefix(s, c.prefix); ok {
			e, err := parseType(rest)
			if err != nil {
				return nil, err
			}
			return &Type{Kind: c.kind, Elem: e, Desc: s}, nil
		}
	}
	// nonEmptyListOf of a composite element: "non-empty (list of X)".
	if rest, ok := strings.CutPrefix(s, "non-empty "); ok && strings.HasPrefix(rest, "(") {
		if l, err := parseType(rest); err == nil && l.Kind == "list" {
			return &Type{Kind: "list", Elem: l.Elem, Desc: s}, nil
		}
	}
	// pkgs.formats.ini's section type: "section of an INI file (attrs of X)".
	if rest, ok := strings.CutPrefix(s, "section of an INI file (attrs of "); ok && strings.HasSuffix(rest, ")") {
		e, err := parseType(strings.ReplaceAll(strings.TrimSuffix(rest, ")"), "\x00", " or "))
		if err != nil {
			return nil, err
		}
		return &Type{Kind: "attrs", Elem: e, Desc: s}, nil
	}
	if rest, ok := strings.CutPrefix(s, "function that evaluates to a(n) "); ok {
		if _, err := parseType(rest); err != nil {
			return nil, err
		}
		return &Type{Kind: "function", Desc: s}, nil
	}
	if rest, ok := strings.CutPrefix(s, "one of "); ok {
		vals, err := parseEnum(rest)
		if err != nil {
			return nil, err
		}
		return &Type{Kind: "enum", Enum: vals, Desc: s}, nil
	}
	if rest, ok := strings.CutPrefix(s, "value "); ok && strings.HasSuffix(rest, " (singular enum)") {
		vals, err := parseEnum(strings.TrimSuffix(rest, " (singular enum)"))
		if err != nil {
			return nil, err
		}
		return &Type{Kind: "enum", Enum: vals, Desc: s}, nil
	}
	if rest, ok := strings.CutSuffix(s, " convertible to it"); ok { // coercedTo's source type
		return parseType(rest)
	}
	return parseAtom(strings.ReplaceAll(s, "\x00", " or "))
}

func parseAtom(s string) (*Type, error) {
	// passwdEntry of a non-string type, e.g. "absolute path, not containing newlines or colons".
	if base, ok := strings.CutSuffix(s, ", not containing newlines or colons"); ok && !strings.HasPrefix(s, "string, ") {
		t, err := parseAtom(base)
		if err != nil {
			return nil, err
		}
		t.Desc = s
		return t, nil
	}
	t := &Type{Desc: s}
	switch {
	case anyPhrases[s]:
		t.Kind = "any"
	case s == "boolean":
		t.Kind = "bool"
	case s == "null":
		t.Kind = "null"
	case s == "string" || s == "non-empty string" || s == "str" || s == "Concatenated string" ||
		strings.HasPrefix(s, "strings concatenated with ") || strings.HasPrefix(s, "string matching the pattern ") ||
		strings.HasPrefix(s, "string, ") || strings.HasPrefix(s, "string (with check: ") || strings.HasSuffix(s, "single-line string") ||
		s == "string with no newlines" || s == "string without spaces" || s == "lines":
		t.Kind = "string"
	case s == "floating point number":
		t.Kind = "float"
	case strings.Contains(s, "integer"):
		t.Kind = "int"
		if i := strings.Index(s, "between "); i >= 0 {
			var lo, hi int64
			if _, err := fmt.Sscanf(s[i:], "between %d and %d", &lo, &hi); err != nil {
				return nil, fmt.Errorf("integer bounds: %w", err)
			}
			t.Min, t.Max = &lo, &hi
		}
		if strings.Contains(s, "meaning >0") {
			one := int64(1)
			t.Min = &one
		} else if strings.Contains(s, "meaning >=0") {
			zero := int64(0)
			t.Min = &zero
		}
	case s == "path" || s == "absolute path" || s == "path in the Nix store" || s == "literal path":
		t.Kind = "path"
	case s == "package" || s == "shell package":
		t.Kind = "package"
	case s == "attribute set" || s == "nixpkgs config":
		t.Kind = "attrs"
	case s == "nixpkgs overlay":
		t.Kind = "function"
	case s == "submodule":
		t.Kind = "submodule"
	default:
		return nil, fmt.Errorf("unknown type phrase %q (teach internal/nixoptions' ParseType)", s)
	}
	return t, nil
}

// topLevel calls visit with the index of every byte of s outside double quotes and its
// parenthesis depth there (a closing parenthesis is seen at the depth it closes to); visit
// returns how many bytes to skip after it, or -1 to stop.
func topLevel(s string, visit func(i, depth int) int) {
	depth, inQ := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && inQ:
			i++
			continue
		case c == '"':
			inQ = !inQ
			continue
		case inQ:
			continue
		case c == '(':
			depth++
		case c == ')':
			depth--
		}
		skip := visit(i, depth)
		if skip < 0 {
			return
		}
		i += skip
	}
}

// unwrapParens strips one pair of parentheses enclosing all of s.
func parseUnion(s string, parts []string) (*Type, error) {
	u := &Type{Kind: "union", Desc: s}
	for _, p := range parts {
		a, err := parseType(strings.ReplaceAll(p, "\x00", " or "))
		if err != nil {
			return nil, err
		}
		u.Alts = append(u.Alts, a)
	}
	return u, nil
}

func unwrapParens(s string) (string, bool) {
	if !strings.HasPrefix(s, "(") || !strings.HasSuffix(s, ")") {
		return "", false
	}
	enclosed := true
	topLevel(s, func(i, depth int) int {
		if s[i] == ')' && depth == 0 && i != len(s)-1 {
			enclosed = false
			return -1
		}
		return 0
	})
	if !enclosed {
		return "", false
	}
	return s[1 : len(s)-1], true
}

// splitTopLevel splits s at sep outside parentheses and double quotes.
func splitTopLevel(s, sep string) []string {
	var parts []string
	start := 0
	topLevel(s, func(i, depth int) int {
		if depth == 0 && strings.HasPrefix(s[i:], sep) {
			parts = append(parts, s[start:i])
			start = i + len(sep)
			return len(sep) - 1
		}
		return 0
	})
	return append(parts, s[start:])
}

// parseEnum reads enum's value list: "a", "b", 1, true (strings as Nix shows them).
func parseEnum(s string) ([]any, error) {
	var vals []any
	for i := 0; ; {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			return nil, fmt.Errorf("enum: missing value after a comma")
		}
		if s[i] == '"' {
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, fmt.Errorf("enum: unterminated string in %q", s)
			}
			v, err := strconv.Unquote(s[i : j+1])
			if err != nil {
				v = s[i+1 : j]
			}
			vals = append(vals, v)
			i = j + 1
		} else {
			j := strings.IndexByte(s[i:], ',')
			if j < 0 {
				j = len(s) - i
			}
			tok := strings.TrimSpace(s[i : i+j])
			switch tok {
			case "true":
				vals = append(vals, true)
			case "false":
				vals = append(vals, false)
			default:
				n, err := strconv.ParseInt(tok, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("enum: cannot read value %q", tok)
				}
				vals = append(vals, n)
			}
			i += j
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i == len(s) {
			return vals, nil
		}
		if s[i] != ',' {
			return nil, fmt.Errorf("enum: expected a comma at %q", s[i:])
		}
		i++
	}
}

// Problem is a value that does not fit its option's type, found at Path (below the option) and
// Pos (the closest position Nix reported).
type Problem struct {
	Path []string
	Pos  Pos
	Msg  string
}

// Check compares a definition's shape with t. Shapes Nix could not evaluate offline are not
// judged; wrappers (mkIf, mkDefault, mkOrder) are looked through, and each part of a mkMerge is
// checked on its own.
func (t *Type) Check(s *Shape, pos Pos) []Problem {
	return t.check(nil, s, pos)
}

func (t *Type) check(path []string, s *Shape, pos Pos) []Problem {
	switch s.K {
	case "unknown", "marker":
		return nil
	case "if", "override", "order":
		return t.check(path, s.S, pos)
	case "merge":
		var ps []Problem
		for i := range s.Items {
			ps = append(ps, t.check(path, &s.Items[i], pos)...)
		}
		return ps
	}
	bad := func() []Problem {
		return []Problem{{Path: path, Pos: pos, Msg: fmt.Sprintf("%s does not fit type %q", s.describe(), t.Desc)}}
	}
	switch t.Kind {
	case "any":
		return nil
	case "union":
		var first []Problem
		for _, a := range t.Alts {
			ps := a.check(path, s, pos)
			if len(ps) == 0 {
				return nil
			}
			if first == nil {
				first = ps
			}
		}
		if s.K == "list" || s.K == "attrs" {
			if len(first) > 0 && len(first[0].Path) > len(path) {
				return first // the closest alternative's element problem says more than "does not fit"
			}
		}
		return bad()
	case "bool", "null", "float", "function":
		if s.K != t.Kind {
			return bad()
		}
	case "string":
		if s.K != "string" {
			return bad()
		}
	case "int":
		if s.K != "int" {
			return bad()
		}
		n, err := strconv.ParseInt(string(s.V), 10, 64)
		if err == nil && (t.Min != nil && n < *t.Min || t.Max != nil && n > *t.Max) {
			return bad()
		}
	case "path":
		switch s.K {
		case "path", "package":
		case "string":
			if v := s.str(); !strings.HasPrefix(v, "/") {
				return []Problem{{Path: path, Pos: pos, Msg: fmt.Sprintf("string %q is not an absolute path (type %q)", v, t.Desc)}}
			}
		default:
			return bad()
		}
	case "package":
		switch s.K {
		case "package":
		case "string":
			if !strings.HasPrefix(s.str(), "/nix/store/") {
				return bad()
			}
		default:
			return bad()
		}
	case "enum":
		var v any
		switch s.K {
		case "string":
			v = s.str()
		case "int":
			n, _ := strconv.ParseInt(string(s.V), 10, 64)
			v = n
		case "bool":
			v = string(s.V) == "true"
		default:
			return bad()
		}
		for _, e := range t.Enum {
			if e == v {
				return nil
			}
		}
		return bad()
	case "list":
		if s.K != "list" {
			return bad()
		}
		var ps []Problem
		for i := range s.Items {
			ps = append(ps, t.Elem.check(append(append([]string(nil), path...), "*"), &s.Items[i], pos)...)
		}
		return ps
	case "attrs", "submodule":
		if s.K != "attrs" && !(t.Kind == "submodule" && s.K == "function") {
			return bad()
		}
		// An attribute set's values are of its element type; an open submodule's undeclared
		// attributes of its freeform type's element type (declared ones are walked as options).
		elem := t.Elem
		if t.Kind == "submodule" {
			elem = t.freeform()
		}
		if elem == nil {
			return nil
		}
		var ps []Problem
		for _, n := range s.names() {
			a := s.Attrs[n]
			ps = append(ps, elem.check(append(append([]string(nil), path...), n), &a.S, a.Pos.or(pos))...)
		}
		return ps
	default:
		return []Problem{{Path: path, Pos: pos, Msg: fmt.Sprintf("cannot check type %q", t.Desc)}}
	}
	return nil
}

// freeform is the type of the attributes of a value of t that are not declared sub-options:
// an attribute set's element type, an open submodule's freeform type's element type.
func (t *Type) freeform() *Type {
	switch t.Kind {
	case "attrs":
		if t.Elem == nil {
			return &Type{Kind: "any", Desc: "anything"}
		}
		return t.Elem
	case "submodule":
		if t.Elem == nil {
			return nil
		}
		if t.Elem.Kind == "attrs" {
			return t.Elem.freeform()
		}
		return &Type{Kind: "any", Desc: t.Elem.Desc}
	case "union":
		for _, a := range t.Alts {
			if f := a.freeform(); f != nil {
				return f
			}
		}
	case "any":
		return t
	}
	return nil
}
