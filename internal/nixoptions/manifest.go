package nixoptions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/nixos-hub/hub/internal/durablefile"
)

// ManifestFile is the recorded manifest, relative to the repository root.
const ManifestFile = "nix/options-25.11.json"

// Manifest is the record of the nixpkgs (and agenix, lanzaboote, microvm.nix) options the hub's Nix sets or
// reads: for each, its type description and the file that declares it. It is read from source,
// not computed from a live nixpkgs, so it is only as current as its Sources say.
type Manifest struct {
	Comment string            `json:"comment"`
	Release string            `json:"release"`
	Sources []Source          `json:"sources"`
	Options map[string]Option `json:"options"`
}

// Source is one repository the options were read from.
type Source struct {
	Name   string `json:"name"`             // nixpkgs, agenix, lanzaboote, microvm: what Option.Source names
	Repo   string `json:"repo"`             // owner/name on GitHub
	Ref    string `json:"ref"`              // branch or tag
	Commit string `json:"commit,omitempty"` // when known
	Date   string `json:"date"`             // when it was read (YYYY-MM-DD)
	Method string `json:"method"`           // how: nix eval, or reading which files
}

// Option is one option of the release. Paths use nixpkgs' documentation name segments: <name> for
// an attribute of an attribute set of submodules, * for an element of a list of submodules.
type Option struct {
	Type      string `json:"type"`                // nixpkgs' type description, e.g. "list of string"
	Declared  string `json:"declared"`            // declaring file, relative to the source's root
	Source    string `json:"source,omitempty"`    // Sources[].Name; empty means nixpkgs
	RenamedTo string `json:"renamedTo,omitempty"` // the option is an alias (mkRenamedOptionModule) of this one
	Note      string `json:"note,omitempty"`      // dating of a recent change, or a caveat
}

// LoadManifest reads and validates a manifest: every path must parse and every type
// description must be one internal/nixoptions understands, so a hand edit cannot silently disable a
// check.
func LoadManifest(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("options manifest: %w", err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("options manifest %s: %w", path, err)
	}
	var errs []string
	names := map[string]bool{"": true}
	for _, s := range m.Sources {
		names[s.Name] = true
	}
	for _, p := range m.Paths() {
		o := m.Options[p]
		if _, err := ParsePath(p); err != nil {
			errs = append(errs, err.Error())
		}
		if _, err := ParseType(o.Type); err != nil {
			errs = append(errs, fmt.Sprintf("option %s: %v", p, err))
		}
		if o.Declared == "" {
			errs = append(errs, fmt.Sprintf("option %s: no declaring file", p))
		}
		if !names[o.Source] {
			errs = append(errs, fmt.Sprintf("option %s: source %q is not in sources", p, o.Source))
		}
		if o.RenamedTo != "" {
			if _, ok := m.Options[o.RenamedTo]; !ok {
				errs = append(errs, fmt.Sprintf("option %s: renamed to %s, which the manifest lacks", p, o.RenamedTo))
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("options manifest %s:\n  %s", path, strings.Join(errs, "\n  "))
	}
	return &m, nil
}

// Paths lists the manifest's option paths, sorted.
func (m *Manifest) Paths() []string {
	ps := make([]string, 0, len(m.Options))
	for p := range m.Options {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

// Marshal renders the manifest deterministically: fields in declaration order, options sorted
// by path (encoding/json sorts map keys), two-space indentation, a final newline.
func (m *Manifest) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // descriptions quote "<name>" and "->"
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteManifest replaces path with m atomically (internal/durablefile), so a reader (or an
// interrupted regeneration) never sees half a manifest.
func WriteManifest(path string, m *Manifest) error {
	data, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("options manifest %s: %w", path, err)
	}
	if err := durablefile.Write(path, data, 0o644); err != nil {
		return fmt.Errorf("options manifest %s: %w", path, err)
	}
	return nil
}

// ParsePath splits an option path as nixpkgs prints it (showOption): dot-separated, with
// segments that are no identifiers in double quotes, e.g. boot.kernel.sysctl."kernel.kptr_restrict".
func ParsePath(s string) ([]string, error) {
	var segs []string
	for i := 0; i < len(s); {
		if s[i] == '"' {
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("option path %q: unterminated quote", s)
			}
			segs = append(segs, s[i+1:i+1+j])
			i += j + 2
		} else {
			j := strings.IndexByte(s[i:], '.')
			if j < 0 {
				j = len(s) - i
			}
			if j == 0 {
				return nil, fmt.Errorf("option path %q: empty segment", s)
			}
			segs = append(segs, s[i:i+j])
			i += j
		}
		if i < len(s) {
			if s[i] != '.' || i == len(s)-1 {
				return nil, fmt.Errorf("option path %q: expected a dot between segments", s)
			}
			i++
		}
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("option path is empty")
	}
	return segs, nil
}

// FormatPath is the inverse of ParsePath.
func FormatPath(segs []string) string {
	out := make([]string, len(segs))
	for i, s := range segs {
		if isIdent(s) || s == "<name>" || s == "*" {
			out[i] = s
		} else {
			out[i] = `"` + s + `"`
		}
	}
	return strings.Join(out, ".")
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '-' || r == '\''):
		default:
			return false
		}
	}
	return true
}
