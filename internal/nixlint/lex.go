package nixlint

import (
	"fmt"
	"strings"
)

// kind is a token's class. Strings' literal text is dropped (rules never look into it), but
// their ${...} interpolations are lexed as code: a binding used only in a string is used.
type kind int

const (
	tIdent kind = iota
	tNumber
	tPath   // ./x, /x, ~/x, <nixpkgs>, a URI
	tString // one whole literal part of a string, text dropped
	tOp     // punctuation and operators: { } ( ) [ ] ; : , . @ ? = == != ... ${
)

type token struct {
	kind kind
	text string
	line int
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentChar(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '\'' || c == '-'
}
func isPathChar(c byte) bool {
	return isIdentChar(c) || c == '.' || c == '/' || c == '+' || c == '~'
}

// lex splits Nix source into tokens with their lines. It knows Nix's comments, both string
// forms with their escapes and interpolations, paths and URIs; what it does not need to know
// (operator precedence, numbers' forms) it takes loosely. Source that nix-instantiate
// --parse accepts lexes; an unterminated string or comment is an error with its line.
func lex(src string) ([]token, error) {
	var toks []token
	line := 1
	i := 0
	// stack of open interpolations: each entry counts the braces opened inside it; the
	// string kind to return to is kept alongside.
	type interp struct {
		depth  int
		indent bool
	}
	var stack []interp
	emit := func(k kind, text string, l int) { toks = append(toks, token{k, text, l}) }
	// str lexes a string body from i (after its opening quote) up to its end or to a ${,
	// returning true when it stopped at ${ (the interpolation is then pushed).
	var str func(indent bool) (bool, error)
	str = func(indent bool) (bool, error) {
		start := line
		for i < len(src) {
			c := src[i]
			switch {
			case c == '\n':
				line++
				i++
			case !indent && c == '\\':
				if i+1 < len(src) && src[i+1] == '\n' {
					line++
				}
				i += 2
			case !indent && c == '"':
				i++
				emit(tString, "", start)
				return false, nil
			case indent && strings.HasPrefix(src[i:], "'''"):
				i += 3
			case indent && strings.HasPrefix(src[i:], "''$"):
				i += 3
			case indent && strings.HasPrefix(src[i:], "''\\"):
				i += 3
			case indent && strings.HasPrefix(src[i:], "''"):
				i += 2
				emit(tString, "", start)
				return false, nil
			case c == '$' && i+1 < len(src) && src[i+1] == '{':
				emit(tString, "", start)
				emit(tOp, "${", line)
				i += 2
				stack = append(stack, interp{indent: indent})
				return true, nil
			case c == '$' && i+1 < len(src) && src[i+1] == '$':
				i += 2
			default:
				i++
			}
		}
		return false, fmt.Errorf("line %d: unterminated string", start)
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("line %d: unterminated comment", line)
			}
			line += strings.Count(src[i:i+2+end], "\n")
			i += end + 4
		case c == '"' || strings.HasPrefix(src[i:], "''"):
			indent := c == '\''
			if indent {
				i += 2
			} else {
				i++
			}
			if _, err := str(indent); err != nil {
				return nil, err
			}
		case c == '{':
			if n := len(stack); n > 0 {
				stack[n-1].depth++
			}
			emit(tOp, "{", line)
			i++
		case c == '}':
			if n := len(stack); n > 0 && stack[n-1].depth == 0 {
				// The interpolation ends: back into its string.
				in := stack[n-1]
				stack = stack[:n-1]
				emit(tOp, "}", line)
				i++
				if _, err := str(in.indent); err != nil {
					return nil, err
				}
				continue
			} else if n > 0 {
				stack[n-1].depth--
			}
			emit(tOp, "}", line)
			i++
		case c == '<' && i+1 < len(src) && isIdentStart(src[i+1]):
			j := i + 1
			for j < len(src) && isPathChar(src[j]) {
				j++
			}
			if j < len(src) && src[j] == '>' {
				emit(tPath, src[i:j+1], line)
				i = j + 1
				continue
			}
			emit(tOp, "<", line)
			i++
		case (c == '.' || c == '~') && i+1 < len(src) && (src[i+1] == '/' || c == '.' && strings.HasPrefix(src[i+1:], "./")),
			c == '/' && i+1 < len(src) && isIdentChar(src[i+1]) && (len(toks) == 0 || toks[len(toks)-1].kind == tOp && toks[len(toks)-1].text != ")" && toks[len(toks)-1].text != "}" && toks[len(toks)-1].text != "]"):
			j := i
			for j < len(src) && isPathChar(src[j]) {
				j++
			}
			emit(tPath, src[i:j], line)
			i = j
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentChar(src[j]) {
				j++
			}
			if strings.HasPrefix(src[j:], "://") { // a URI: https://...
				for j < len(src) && !strings.ContainsRune(" \t\n;)]}", rune(src[j])) {
					j++
				}
				emit(tPath, src[i:j], line)
				i = j
				continue
			}
			emit(tIdent, src[i:j], line)
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == 'e') {
				j++
			}
			emit(tNumber, src[i:j], line)
			i = j
		default:
			for _, op := range []string{"...", "==", "!=", "<=", ">=", "&&", "||", "->", "++", "//"} {
				if strings.HasPrefix(src[i:], op) {
					emit(tOp, op, line)
					i += len(op)
					goto next
				}
			}
			emit(tOp, string(c), line)
			i++
		next:
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("line %d: unterminated ${ interpolation", line)
	}
	return toks, nil
}
