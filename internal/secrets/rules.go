package secrets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

// Entry is one secret listed in secrets.nix.
type Entry struct {
	// Name is the attribute name in secrets.nix, a path relative to it ("restic-password.age").
	Name string
	// Path is the file's absolute path.
	Path string
	// Recipients are the parsed publicKeys, in the order written.
	Recipients []Recipient
	// Armor is agenix's armor attribute: the file is PEM-style ASCII armored.
	Armor bool
}

// Rules is a parsed secrets.nix.
type Rules struct {
	// Path is the absolute path of secrets.nix; Dir its directory.
	Path, Dir string
	// Entries are sorted by Name.
	Entries []*Entry
	// names maps a canonical key to the let-binding that holds it in secrets.nix.
	names map[string]string
}

// LoadRules evaluates secrets.nix with nix-instantiate, the way agenix reads it, and validates it.
// It runs on local (this machine's executor, so HUB_VERBOSE shows it), in a dry run too: the
// evaluation changes nothing.
func LoadRules(ctx context.Context, local *command.Host, path string) (*Rules, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	src, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	res, err := nix.On(local, nix.Settings{}).Instantiate(ctx, nil, "--eval", "--strict", "--json", abs)
	if xe, ok := errors.AsType[*command.ExitError](err); ok {
		// nix's own message, whole: it names the line of secrets.nix that is wrong.
		return nil, fmt.Errorf("%s: nix-instantiate: exit status %d: %s", abs, xe.ExitCode, strings.TrimSpace(xe.Stderr))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", abs, err)
	}
	return parseRules(abs, res.Stdout, src)
}

type rawEntry struct {
	PublicKeys *[]json.RawMessage `json:"publicKeys"`
	Armor      *bool              `json:"armor"`
}

// parseRules validates the JSON evaluation of secrets.nix. src is the Nix source, used only to
// name keys after their let-bindings; path is the absolute path of secrets.nix.
func parseRules(path string, evaluated, src []byte) (*Rules, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(evaluated, &raw); err != nil {
		return nil, fmt.Errorf("%s: not an attribute set of secrets: %w", path, err)
	}
	r := &Rules{Path: path, Dir: filepath.Dir(path), names: bindingNames(src)}
	// In name order: a bad key bound once with let and used by many entries is reported against
	// the same entry every run, and at the line of secrets.nix that holds it.
	names := slices.Sorted(maps.Keys(raw))
	for _, name := range names {
		e, err := parseEntry(r.Dir, name, raw[name])
		if err != nil {
			where := path
			var ke *keyError
			if errors.As(err, &ke) {
				if i := bytes.Index(src, []byte(`"`+ke.key+`"`)); i >= 0 {
					where = fmt.Sprintf("%s:%d", path, 1+bytes.Count(src[:i], []byte("\n")))
				}
			}
			return nil, fmt.Errorf("%s: %q: %w", where, name, err)
		}
		r.Entries = append(r.Entries, e)
	}
	return r, nil
}

// keyError is a publicKeys entry that is not a usable key, with the string as written.
type keyError struct {
	key string
	err error
}

func (e *keyError) Error() string { return e.err.Error() }
func (e *keyError) Unwrap() error { return e.err }

func parseEntry(dir, name string, msg json.RawMessage) (*Entry, error) {
	clean := filepath.Clean(name)
	if filepath.IsAbs(clean) || clean == "." || strings.HasPrefix(clean, "../") || clean == ".." {
		return nil, errors.New("file is outside the directory of secrets.nix")
	}
	var re rawEntry
	dec := json.NewDecoder(bytes.NewReader(msg))
	if err := dec.Decode(&re); err != nil {
		return nil, fmt.Errorf("not an attribute set with publicKeys: %w", err)
	}
	if re.PublicKeys == nil {
		return nil, errors.New("publicKeys is missing")
	}
	if len(*re.PublicKeys) == 0 {
		return nil, errors.New("publicKeys is empty: nobody could decrypt it")
	}
	e := &Entry{Name: name, Path: filepath.Join(dir, clean), Armor: re.Armor != nil && *re.Armor}
	seen := map[string]int{}
	for i, m := range *re.PublicKeys {
		var s string
		if err := json.Unmarshal(m, &s); err != nil {
			return nil, fmt.Errorf("publicKeys[%d] is not a string", i)
		}
		rc, err := ParseRecipient(s)
		if err != nil {
			return nil, &keyError{s, fmt.Errorf("publicKeys[%d] %q: %w", i, abbreviate(s), err)}
		}
		if j, dup := seen[rc.Key]; dup {
			return nil, fmt.Errorf("publicKeys[%d] %q duplicates publicKeys[%d]", i, abbreviate(s), j)
		}
		seen[rc.Key] = i
		e.Recipients = append(e.Recipients, rc)
	}
	return e, nil
}

// abbreviate keeps error messages one line long; public keys are not secret, just long.
func abbreviate(s string) string {
	if len(s) <= 40 {
		return s
	}
	return s[:30] + "…" + s[len(s)-8:]
}

// bindingRE finds `name = "key";` in Nix source: agenix users bind each key to a host or user
// name with let, and that name is the clearest label an audit can show.
var bindingRE = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_'-]*)\s*=\s*"((?:ssh-ed25519|ssh-rsa) [A-Za-z0-9+/=]+[^"]*|age1[0-9a-z]+)"\s*;`)

func bindingNames(src []byte) map[string]string {
	names := map[string]string{}
	for _, m := range bindingRE.FindAllSubmatch(src, -1) {
		rc, err := ParseRecipient(string(m[2]))
		if err != nil {
			continue
		}
		if _, ok := names[rc.Key]; !ok {
			names[rc.Key] = string(m[1])
		}
	}
	return names
}

// Label names a key for people: its let-binding in secrets.nix, else its ssh comment, else a
// short id.
func (r *Rules) Label(rc Recipient) string {
	if n, ok := r.names[rc.Key]; ok {
		return n
	}
	if rc.Comment != "" {
		return rc.Comment
	}
	return rc.ShortID()
}

// Keys lists every distinct recipient used by any entry, sorted by label.
func (r *Rules) Keys() []Recipient {
	seen := map[string]bool{}
	var keys []Recipient
	for _, e := range r.Entries {
		for _, rc := range e.Recipients {
			if !seen[rc.Key] {
				seen[rc.Key] = true
				keys = append(keys, rc)
			}
		}
	}
	sort.SliceStable(keys, func(i, j int) bool { return r.Label(keys[i]) < r.Label(keys[j]) })
	return keys
}

// Entry finds a secret by name, with or without the .age suffix.
func (r *Rules) Entry(name string) (*Entry, error) {
	for _, e := range r.Entries {
		if e.Name == name || e.Name == name+".age" {
			return e, nil
		}
	}
	return nil, fmt.Errorf("%s: no secret %q (add it to secrets.nix first)", r.Path, name)
}

// consistency reports listed files that are missing and .age files that are not listed.
func (r *Rules) consistency() []error {
	var errs []error
	listed := map[string]bool{}
	for _, e := range r.Entries {
		listed[e.Path] = true
		if _, err := os.Stat(e.Path); errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("%q is listed in secrets.nix but %s does not exist", e.Name, e.Path))
		} else if err != nil {
			errs = append(errs, fmt.Errorf("%q: %w", e.Name, err))
		}
	}
	err := filepath.WalkDir(r.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != r.Dir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".age") && !listed[p] {
			rel, _ := filepath.Rel(r.Dir, p)
			errs = append(errs, fmt.Errorf("%s is not listed in secrets.nix", rel))
		}
		return nil
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("scan %s: %w", r.Dir, err))
	}
	return errs
}
