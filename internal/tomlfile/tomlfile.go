// Package tomlfile reads the hub's TOML files strictly, as hosts:check and every other reader of
// a configuration file report them: a syntax or type error and every unknown key become an Error
// located at file:line and field, so a person can go straight to it.
//
// Decode is the entry point; Error is the located problem; Duration is a positive duration
// value ("30s", "2m"); KeyLine finds the line of a key for errors found after decoding.
//
// Entry points: [Decode] (every problem an [Error]), [KeyLine] to locate a key and [SetKeys] to
// rewrite a table in place.
package tomlfile

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Error is one problem of a file, at a line when it has one.
type Error struct {
	File  string
	Line  int // 0 when the problem has no single line (a missing file, a missing field)
	Field string
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Duration is a positive time.Duration written as a Go duration string.
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("not a duration: %q (use e.g. \"30s\", \"2m\")", string(b))
	}
	if v <= 0 {
		return fmt.Errorf("duration must be positive, got %q", string(b))
	}
	d.Duration = v
	return nil
}

// lineRe reads the line and key BurntSushi/toml puts in the text of a type error.
var lineRe = regexp.MustCompile(`^toml: line (\d+)(?: \(last key "([^"]*)"\))?: (.*)$`)

// Decode decodes data, the contents of file, into v. A syntax or type error is the one error
// returned; otherwise every key v has no field for is an error ("unknown key") at its line.
func Decode(file string, data []byte, v any) []error {
	md, err := toml.Decode(string(data), v)
	if err != nil {
		return []error{located(file, err)}
	}
	var errs []error
	for _, k := range md.Undecoded() {
		errs = append(errs, &Error{File: file, Line: KeyLine(data, k), Field: k.String(), Msg: "unknown key"})
	}
	return errs
}

func located(file string, err error) *Error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &Error{File: file, Line: pe.Position.Line, Field: pe.LastKey, Msg: pe.Message}
	}
	if m := lineRe.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Field: m[2], Msg: m[3]}
	}
	return &Error{File: file, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
}

// KeyLine is the 1-based line of data where key (its table, then the key) is set, 0 if none:
// where an error about a value found after decoding points.
func KeyLine(data []byte, key []string) int {
	var table []string
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			table = splitKey(strings.Trim(line, "[] "))
			continue
		}
		k, _, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		if slices.Equal(append(append([]string{}, table...), splitKey(k)...), key) {
			return n + 1
		}
	}
	return 0
}

// splitKey splits a dotted TOML key into its parts; a quoted part ("db.age") keeps its dots.
func splitKey(s string) []string {
	var parts []string
	var cur strings.Builder
	quote := rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote = r
		case r == '.':
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(parts, strings.TrimSpace(cur.String()))
}
