package nixoptions

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// Pos is a position Nix reported (builtins.unsafeGetAttrPos); File is made relative to the
// checked tree when it lies inside it.
type Pos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

func (p Pos) or(q Pos) Pos {
	if p.File == "" {
		return q
	}
	return p
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// Shape is what nix/options-check.nix could evaluate of a definition: k is the kind (bool int
// float string path null function package list attrs), a module-system wrapper (if override order
// merge) or unknown (it reads an option's value, or pkgs, which have none offline).
type Shape struct {
	K     string          `json:"k"`
	S     *Shape          `json:"s,omitempty"`     // if, override, order: the wrapped definition
	P     json.RawMessage `json:"p,omitempty"`     // override, order: the priority
	Items []Shape         `json:"items,omitempty"` // list elements, merge parts
	Attrs map[string]Attr `json:"attrs,omitempty"`
	V     json.RawMessage `json:"v,omitempty"` // scalar value
	T     string          `json:"t,omitempty"` // marker: its _type
}

// Attr is one attribute of an attribute set and where it was written (empty when Nix knows no
// position, as for attributes made by listToAttrs).
type Attr struct {
	Pos Pos   `json:"pos"`
	S   Shape `json:"s"`
}

func (s *Shape) names() []string {
	ns := make([]string, 0, len(s.Attrs))
	for n := range s.Attrs {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

func (s *Shape) str() string {
	var v string
	json.Unmarshal(s.V, &v)
	return v
}

func (s *Shape) describe() string {
	switch s.K {
	case "string":
		return "string " + strconv.Quote(s.str())
	case "int":
		return "integer " + string(s.V)
	case "float":
		return "float " + string(s.V)
	case "bool":
		return "boolean " + string(s.V)
	case "path":
		return "path " + s.str()
	case "null":
		return "null"
	case "list":
		return "a list"
	case "attrs":
		return "an attribute set"
	case "function":
		return "a function"
	case "package":
		return "a package"
	}
	return s.K
}

// unwrap looks through the wrappers that do not change where a definition goes: mkIf, mkDefault
// and mkForce, mkBefore and mkAfter. mkMerge's parts are returned one by one.
func (s *Shape) unwrap() []*Shape {
	switch s.K {
	case "if", "override", "order":
		return s.S.unwrap()
	case "merge":
		var out []*Shape
		for i := range s.Items {
			out = append(out, s.Items[i].unwrap()...)
		}
		return out
	}
	return []*Shape{s}
}
