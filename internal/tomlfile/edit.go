package tomlfile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Set is one key of a table SetKeys writes, with its value (encoded as TOML here).
type Set struct {
	Key   string
	Value any
}

// SetKeys rewrites the keys of one [table] of data in place: a key the table has keeps its line,
// indentation and trailing comment with the new value; a key it lacks goes after the table's last
// key, indented like it. Everything else (the person's comments, order, blank lines, other
// tables) stays byte for byte, which a decode and re-encode would lose. The result is decoded
// again, so a value that does not fit its place is an error rather than a broken file.
func SetKeys(data []byte, table []string, sets ...Set) ([]byte, error) {
	lines := strings.SplitAfter(string(data), "\n")
	start, end := -1, len(lines)
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "[") || strings.HasPrefix(t, "[[") {
			continue
		}
		if start >= 0 {
			end = i
			break
		}
		if slices.Equal(splitKey(strings.Trim(stripComment(t), "[] ")), table) {
			start = i
		}
	}
	if start < 0 {
		return nil, fmt.Errorf("no table [%s]", strings.Join(table, "."))
	}
	for _, s := range sets {
		value, err := encodeValue(s.Value)
		if err != nil {
			return nil, fmt.Errorf("[%s].%s: %w", strings.Join(table, "."), s.Key, err)
		}
		found := false
		last, indent := start, ""
		for i := start + 1; i < end; i++ {
			t := strings.TrimSpace(lines[i])
			k, rest, ok := strings.Cut(t, "=")
			if t == "" || strings.HasPrefix(t, "#") || !ok {
				continue
			}
			last, indent = i, lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))]
			if !slices.Equal(splitKey(k), []string{s.Key}) {
				continue
			}
			found = true
			comment := strings.TrimSpace(rest[len(stripComment(rest)):])
			nl := lines[i][len(strings.TrimRight(lines[i], "\r\n")):]
			if comment != "" {
				comment = "  " + comment
			}
			lines[i] = indent + strings.TrimSpace(k) + " = " + value + comment + nl
			break
		}
		if !found {
			line := indent + s.Key + " = " + value + "\n"
			if !strings.HasSuffix(lines[last], "\n") {
				line = "\n" + line
			}
			lines = slices.Insert(lines, last+1, line)
			end++
		}
	}
	out := []byte(strings.Join(lines, ""))
	var check map[string]any
	if _, err := toml.Decode(string(out), &check); err != nil {
		return nil, fmt.Errorf("the edited file does not parse: %w", err)
	}
	return out, nil
}

// encodeValue is v as a TOML value (the right-hand side of key = value).
func encodeValue(v any) (string, error) {
	var b strings.Builder
	if err := toml.NewEncoder(&b).Encode(map[string]any{"k": v}); err != nil {
		return "", err
	}
	_, val, _ := strings.Cut(strings.TrimSpace(b.String()), " = ")
	return val, nil
}

// stripComment is s without a trailing # comment (a # inside a quoted string is no comment),
// right-trimmed.
func stripComment(s string) string {
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == '\\' && quote == '"':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return strings.TrimRight(s[:i], " \t")
		}
	}
	return strings.TrimRight(s, " \t\r\n")
}
