package nixoptions

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Used is what the hub's Nix sets and reads (the collect mode): the input of a manifest
// regeneration, which resolves each path to the option that holds it in a real nixpkgs.
type Used struct {
	Set   []string // attribute paths the files define, down to values that are not attribute sets
	Reads []string // option paths read through config (a static scan: config.a.b and let-bound aliases)
}

// Collect evaluates the files as Check does, against the recorded manifest so that reads of the
// options it knows evaluate (an empty one made every read a throw, and the collection stopped at
// the first value computed from one), and scans the sources for reads. The hub's own options (hub.features.*,
// hub.*) are left out: they are declared here, not in nixpkgs.
func Collect(ctx context.Context, opts Options) (*Used, error) {
	if opts.MaxRuns == 0 {
		opts.MaxRuns = 400
	}
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	rep, err := Check(ctx, opts)
	if err != nil {
		return nil, err
	}
	u := &Used{}
	for p := range rep.Raw {
		if !hubOwn(p) {
			u.Set = append(u.Set, p)
		}
	}
	sort.Strings(u.Set)
	reads := map[string]bool{}
	for _, f := range opts.Files {
		data, err := os.ReadFile(filepath.Join(opts.Root, f.Path))
		if err != nil {
			return nil, err
		}
		for _, r := range scanReads(string(data)) {
			if !hubOwn(r) {
				reads[r] = true
			}
		}
	}
	for r := range reads {
		u.Reads = append(u.Reads, r)
	}
	sort.Strings(u.Reads)
	return u, nil
}

func hubOwn(p string) bool {
	return p == "hub" || strings.HasPrefix(p, "hub.")
}

var (
	aliasRe = regexp.MustCompile(`(?m)^\s*([A-Za-z_][A-Za-z0-9_'-]*)\s*=\s*config((?:\.[A-Za-z_][A-Za-z0-9_'-]*)+)\s*;`)
	readRe  = regexp.MustCompile(`\b([A-Za-z_][A-Za-z0-9_'-]*)((?:\.(?:[A-Za-z_][A-Za-z0-9_'-]*|"[^"$\s]*"|\$\{[^}]*\}))+)`)
)

// scanReads finds config.a.b selections and selections through simple aliases (cfg =
// config.a;). Dynamic segments (${...}) become <name>. Comments are skipped.
func scanReads(src string) []string {
	var b strings.Builder
	for _, line := range strings.Split(src, "\n") {
		if i := strings.Index(line, "#"); i >= 0 && !strings.Contains(line[:i], `"`) {
			line = line[:i]
		}
		b.WriteString(line + "\n")
	}
	src = b.String()
	aliases := map[string]string{"config": "", "options": ""}
	for _, m := range aliasRe.FindAllStringSubmatch(src, -1) {
		aliases[m[1]] = strings.TrimPrefix(m[2], ".")
	}
	return scanWith(src, aliases)
}

func scanWith(src string, aliases map[string]string) []string {
	var out []string
	for _, m := range readRe.FindAllStringSubmatchIndex(src, -1) {
		if m[2] > 0 && src[m[2]-1] == '.' {
			continue // the tail of a longer selection
		}
		base, ok := aliases[src[m[2]:m[3]]]
		if !ok {
			continue
		}
		// a binding's left-hand side (x.y = ...) is a definition, not a read
		if rest := strings.TrimLeft(src[m[1]:], " \t"); strings.HasPrefix(rest, "=") && !strings.HasPrefix(rest, "==") {
			continue
		}
		var segs []string
		if base != "" {
			segs = strings.Split(base, ".")
		}
		for _, s := range splitSelection(src[m[4]+1 : m[5]]) {
			if inner, ok := strings.CutPrefix(s, "${"); ok {
				out = append(out, scanWith(strings.TrimSuffix(inner, "}"), aliases)...)
				s = "<name>"
			}
			segs = append(segs, strings.Trim(s, `"`))
		}
		if len(segs) > 0 {
			out = append(out, FormatPath(segs))
		}
	}
	return out
}

func splitSelection(s string) []string {
	var segs []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		case '.':
			if depth == 0 {
				segs = append(segs, s[start:i])
				start = i + 1
			}
		}
	}
	return append(segs, s[start:])
}
