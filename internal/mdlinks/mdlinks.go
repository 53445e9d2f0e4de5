// Package mdlinks checks the links of the hub's Markdown files offline: every relative link
// names a file or directory that exists, and every #anchor, in the same file or another
// Markdown file, names one of its headings (as the forge renders them: GitHub's slugs) or an
// explicit id. Links with a scheme (https:, mailto:) are counted, not followed: the check sends
// nothing anywhere.
//
// Entry point: [Check] returns the [Report] of [Broken] links.
package mdlinks

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/nixos-hub/hub/internal/srctree"
)

// Broken is one link that leads nowhere.
type Broken struct {
	File   string // relative to the root
	Line   int
	Target string
	Why    string
}

func (b Broken) String() string { return fmt.Sprintf("%s:%d: %s: %s", b.File, b.Line, b.Target, b.Why) }

// Report is what Check found.
type Report struct {
	Files, Links, External int
	Broken                 []Broken
}

// Err is nil when no link is broken.
func (r Report) Err() error {
	if len(r.Broken) == 0 {
		return nil
	}
	return fmt.Errorf("%d broken Markdown link(s), first %s", len(r.Broken), r.Broken[0])
}

var (
	inlineLink = regexp.MustCompile(`!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)`)
	refDef     = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$`)
	codeSpan   = regexp.MustCompile("`+[^`]*`+")
	heading    = regexp.MustCompile(`^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
	htmlID     = regexp.MustCompile(`<a\s+(?:name|id)="([^"]+)"`)
	scheme     = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
)

// files lists the Markdown files below root, relative to it, skipping dot directories and
// test data.
func files(root string) ([]string, error) { return srctree.Files(root, ".md") }

// doc is one Markdown file: its links and its anchors.
type doc struct {
	links   []link
	anchors map[string]bool
}

type link struct {
	line   int
	target string
}

// parse reads a Markdown file's links and anchors, outside fenced code and code spans.
func parse(src string) doc {
	d := doc{anchors: map[string]bool{}}
	seen := map[string]int{}
	fence := ""
	for i, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			continue
		}
		if strings.HasPrefix(line, "    ") && !strings.HasPrefix(trimmed, "-") && !strings.HasPrefix(trimmed, "|") {
			continue // indented code block (a list item's continuation is indented too, but starts otherwise)
		}
		for _, m := range htmlID.FindAllStringSubmatch(line, -1) {
			d.anchors[m[1]] = true
		}
		if m := heading.FindStringSubmatch(line); m != nil {
			s := slug(m[2])
			if n := seen[s]; n > 0 {
				d.anchors[fmt.Sprintf("%s-%d", s, n)] = true
			} else {
				d.anchors[s] = true
			}
			seen[s]++
		}
		text := codeSpan.ReplaceAllString(line, "")
		for _, m := range inlineLink.FindAllStringSubmatch(text, -1) {
			d.links = append(d.links, link{i + 1, m[1]})
		}
		if m := refDef.FindStringSubmatch(text); m != nil {
			d.links = append(d.links, link{i + 1, m[1]})
		}
	}
	return d
}

var inlineMarkup = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// slug is the anchor GitHub gives a heading: its text without markup, lower case, with every
// character but letters, digits, spaces, hyphens and underscores dropped and spaces as hyphens.
func slug(text string) string {
	text = inlineMarkup.ReplaceAllString(text, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// Check checks the links of every Markdown file below root.
func Check(root string) (Report, error) {
	files, err := files(root)
	if err != nil {
		return Report{}, err
	}
	docs := map[string]doc{}
	load := func(rel string) (doc, error) {
		if d, ok := docs[rel]; ok {
			return d, nil
		}
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			return doc{}, err
		}
		d := parse(string(b))
		docs[rel] = d
		return d, nil
	}
	r := Report{Files: len(files)}
	for _, f := range files {
		d, err := load(f)
		if err != nil {
			return r, err
		}
		for _, l := range d.links {
			r.Links++
			if l.target == "" || scheme.MatchString(l.target) {
				if l.target != "" {
					r.External++
				}
				continue
			}
			path, frag, _ := strings.Cut(l.target, "#")
			if p, err := url.PathUnescape(path); err == nil {
				path = p
			}
			target := f
			if path != "" {
				if strings.HasPrefix(path, "/") {
					target = filepath.Clean(strings.TrimPrefix(path, "/"))
				} else {
					target = filepath.Join(filepath.Dir(f), path)
				}
				if rel, err := filepath.Rel(root, filepath.Join(root, target)); err != nil || strings.HasPrefix(rel, "..") {
					r.Broken = append(r.Broken, Broken{f, l.line, l.target, "leaves the repository"})
					continue
				}
				if _, err := os.Stat(filepath.Join(root, target)); err != nil {
					r.Broken = append(r.Broken, Broken{f, l.line, l.target, "no such file or directory " + filepath.ToSlash(target)})
					continue
				}
			}
			if frag == "" || !strings.HasSuffix(target, ".md") {
				continue // an anchor into a non-Markdown file (a source line) is the forge's
			}
			td, err := load(target)
			if err != nil {
				return r, err
			}
			if !td.anchors[frag] {
				r.Broken = append(r.Broken, Broken{f, l.line, l.target, fmt.Sprintf("%s has no heading with anchor #%s%s", filepath.ToSlash(target), frag, closest(frag, td.anchors))})
			}
		}
	}
	return r, nil
}

// closest names the anchor most like frag, when one shares a long prefix with it.
func closest(frag string, anchors map[string]bool) string {
	best, bestN := "", 0
	keys := make([]string, 0, len(anchors))
	for a := range anchors {
		keys = append(keys, a)
	}
	slices.Sort(keys)
	for _, a := range keys {
		n := 0
		for n < len(a) && n < len(frag) && a[n] == frag[n] {
			n++
		}
		if n > bestN {
			best, bestN = a, n
		}
	}
	if bestN < 4 {
		return ""
	}
	return " (did you mean #" + best + "?)"
}
