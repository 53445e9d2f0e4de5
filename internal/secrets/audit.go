package secrets

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/nixos-hub/hub/internal/secrets/internal/ageheader"
)

// FileAudit compares one file's header with its secrets.nix entry.
type FileAudit struct {
	Entry *Entry
	// Access is who the file's header lets decrypt it; nil when the file could not be read or
	// parsed (Err says why).
	Access *Access
	Err    error
	// Missing are expected ssh recipients absent from the header; Extra are header ssh tags no
	// entry recipient explains.
	Missing []Recipient
	Extra   []string
	// X25519 counts anonymous age stanzas in the header; WantX25519 those in secrets.nix.
	X25519, WantX25519 int
	// Other are non-grease stanzas of types secrets.nix cannot express (scrypt, plugins).
	Other []string
	// ArmorDiffers is set when the file's armoring disagrees with the entry's armor attribute.
	ArmorDiffers bool
}

// ok reports whether the header grants exactly the access secrets.nix describes.
func (a *FileAudit) ok() bool {
	return a.Err == nil && len(a.Missing) == 0 && len(a.Extra) == 0 && len(a.Other) == 0 &&
		a.X25519 == a.WantX25519 && !a.ArmorDiffers
}

// problems describes every disagreement, one per line, for check output.
func (a *FileAudit) problems(r *Rules) []string {
	if a.Err != nil {
		return []string{a.Err.Error()}
	}
	var p []string
	for _, m := range a.Missing {
		p = append(p, fmt.Sprintf("%s: not encrypted to %s (%s)", a.Entry.Name, r.Label(m), m.ShortID()))
	}
	for _, x := range a.Extra {
		p = append(p, fmt.Sprintf("%s: encrypted to %s, which secrets.nix does not list for it", a.Entry.Name, r.tagLabel(x)))
	}
	if a.X25519 != a.WantX25519 {
		p = append(p, fmt.Sprintf("%s: %d age (X25519) recipients in the file, %d in secrets.nix", a.Entry.Name, a.X25519, a.WantX25519))
	}
	for _, o := range a.Other {
		p = append(p, fmt.Sprintf("%s: %s stanza that secrets.nix cannot express", a.Entry.Name, o))
	}
	if a.ArmorDiffers {
		p = append(p, fmt.Sprintf("%s: armor is %t in secrets.nix but the file disagrees", a.Entry.Name, a.Entry.Armor))
	}
	return p
}

// tagLabel names an ssh stanza ("ssh-ed25519 TAG") after the key with that tag anywhere in
// secrets.nix, so a host removed from one secret still shows by name.
func (r *Rules) tagLabel(typeTag string) string {
	for _, k := range r.Keys() {
		if k.Kind+" "+k.Tag == typeTag {
			return fmt.Sprintf("%s (%s)", r.Label(k), k.ShortID())
		}
	}
	return "unknown key " + strings.Replace(typeTag, " ", ":", 1)
}

// auditFile reads one file's header and compares it with the entry; no private key is involved.
func auditFile(e *Entry) *FileAudit {
	a := &FileAudit{Entry: e}
	f, err := os.Open(e.Path)
	if err != nil {
		a.Err = fmt.Errorf("%s: %w", e.Name, err)
		return a
	}
	defer f.Close()
	h, err := ageheader.Read(f)
	if err != nil {
		a.Err = fmt.Errorf("%s: header: %w", e.Name, err)
		return a
	}
	acc := accessOf(h)
	a.Access = &acc
	// Matching consumes the header's ssh stanzas one recipient at a time; the audit keeps the
	// whole of Access, so the matching counts down a copy.
	unmatched := maps.Clone(acc.SSHTags)
	for _, rc := range e.Recipients {
		switch rc.Kind {
		case KindX25519:
			a.WantX25519++
		default:
			k := rc.Kind + " " + rc.Tag
			if unmatched[k] > 0 {
				unmatched[k]--
			} else {
				a.Missing = append(a.Missing, rc)
			}
		}
	}
	for k, n := range unmatched {
		for ; n > 0; n-- {
			a.Extra = append(a.Extra, k)
		}
	}
	sort.Strings(a.Extra)
	a.X25519 = acc.X25519
	a.Other = acc.Other
	a.ArmorDiffers = h.Armored != e.Armor
	return a
}

// Audit reads every listed file's header.
func Audit(r *Rules) []*FileAudit {
	out := make([]*FileAudit, len(r.Entries))
	for i, e := range r.Entries {
		out[i] = auditFile(e)
	}
	return out
}

// Check is the CI gate: secrets.nix consistency plus every header agreeing with its entry.
func Check(r *Rules) error {
	errs := r.consistency()
	for _, a := range Audit(r) {
		if a.Err != nil && errors.Is(a.Err, os.ErrNotExist) {
			continue // already reported by Consistency
		}
		for _, p := range a.problems(r) {
			errs = append(errs, errors.New(p))
		}
	}
	return errors.Join(errs...)
}

// Matrix cells: why a key can or cannot read a secret.
const (
	cellOK      = "yes"
	cellMissing = "MISSING" // listed in secrets.nix, not in the file: rekey needed
	cellExtra   = "EXTRA"   // in the file, not in secrets.nix: can still decrypt, rekey needed
	cellUnknown = "?"       // header unreadable
	cellNone    = "."
)

// RenderMatrix writes the secret × key access matrix. ssh keys are columns named by Label; native
// age keys are anonymous in headers, so they share one "age" column showing file/rules counts.
// Unknown keys that can decrypt a file are listed under the table.
func RenderMatrix(w io.Writer, r *Rules, audits []*FileAudit) error {
	var ssh []Recipient
	for _, k := range r.Keys() {
		if k.Kind != KindX25519 {
			ssh = append(ssh, k)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	cols := []string{"SECRET"}
	for _, k := range ssh {
		cols = append(cols, r.Label(k))
	}
	cols = append(cols, "age", "STATUS")
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	var notes []string
	for _, a := range audits {
		row := []string{a.Entry.Name}
		missing := map[string]bool{}
		for _, m := range a.Missing {
			missing[m.Key] = true
		}
		for _, k := range ssh {
			cell := cellNone
			if a.Access != nil && a.Access.SSHTags[k.Kind+" "+k.Tag] > 0 {
				cell = cellExtra
			}
			for _, rc := range a.Entry.Recipients {
				if rc.Key == k.Key {
					cell = cellOK
					if missing[k.Key] {
						cell = cellMissing
					}
				}
			}
			if a.Err != nil {
				cell = cellUnknown
			}
			row = append(row, cell)
		}
		row = append(row, fmt.Sprintf("%d/%d", a.X25519, a.WantX25519))
		status := "ok"
		if !a.ok() {
			status = "DRIFT"
			if a.Err != nil {
				status = "UNREADABLE"
			}
			notes = append(notes, a.problems(r)...)
		}
		row = append(row, status)
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nyes: can decrypt  MISSING: in secrets.nix, not in the file  EXTRA: can decrypt, not in secrets.nix\n.: no access  ?: header unreadable  age: X25519 stanzas in file/secrets.nix (anonymous)\n")
	for _, n := range notes {
		fmt.Fprintf(w, "! %s\n", n)
	}
	return nil
}
