package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/BurntSushi/toml"
)

// RotationFile is the metadata file kept beside secrets.nix.
const RotationFile = "rotation.toml"

// RotationSpec is how and when one secret is regenerated.
type RotationSpec struct {
	Generator string    `toml:"generator"`
	Length    int       `toml:"length,omitempty"`
	Period    string    `toml:"period"`
	Rotated   time.Time `toml:"rotated,omitempty"`
	// PublicKey is the public half of a generated key pair, for configs that need it.
	PublicKey string `toml:"public_key,omitempty"`
}

// Rotation is rotation.toml: secret name → spec.
type Rotation struct {
	Path    string
	Secrets map[string]*RotationSpec
}

// LoadRotation reads rotation.toml beside secrets.nix; a missing file is an empty one. Every spec
// must name a listed secret, a known generator and a valid period.
func LoadRotation(r *Rules) (*Rotation, error) {
	rot, err := ReadRotation(r.Dir)
	if err != nil {
		return nil, err
	}
	for name, s := range rot.Secrets {
		if _, err := r.Entry(name); err != nil {
			return nil, fmt.Errorf("%s: [%q]: not listed in secrets.nix", rot.Path, name)
		}
		if err := validGenerator(s.Generator); err != nil {
			return nil, fmt.Errorf("%s: [%q]: %w", rot.Path, name, err)
		}
	}
	return rot, nil
}

// Save writes rotation.toml atomically.
func (rot *Rotation) Save() error {
	var buf bytes.Buffer
	buf.WriteString("# Rotation of the secrets in secrets.nix: generator, length and period are yours to edit;\n# rotated and public_key are written by `mage secrets:rotate`.\n\n")
	if err := toml.NewEncoder(&buf).Encode(rot.Secrets); err != nil {
		return fmt.Errorf("%s: %w", rot.Path, err)
	}
	if err := WriteFileAtomic(rot.Path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("%s: %w", rot.Path, err)
	}
	return nil
}

// ParsePeriod accepts Go durations plus whole days and weeks ("90d", "2w"), the units rotation
// periods are written in.
func ParsePeriod(s string) (time.Duration, error) {
	mult := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	if s == "" {
		return 0, errors.New("empty: want e.g. 90d, 2w or 720h")
	}
	var d time.Duration
	if m, ok := mult[s[len(s)-1]]; ok && len(s) > 1 {
		n, err := strconv.Atoi(s[:len(s)-1])
		if err != nil {
			return 0, fmt.Errorf("%q: want a whole number of days or weeks", s)
		}
		d = time.Duration(n) * m
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q: want e.g. 90d, 2w or 720h", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q: must be positive", s)
	}
	return d, nil
}

// DueItem is a rotated secret and when it falls due.
type DueItem struct {
	Name string
	Spec *RotationSpec
	Due  time.Time
	// Overdue is true when Due is not after now; never-rotated secrets are always overdue.
	Overdue bool
}

// Schedule lists every secret with a rotation spec, soonest due first.
func (rot *Rotation) Schedule(now time.Time) []DueItem {
	var out []DueItem
	for name, s := range rot.Secrets {
		p, _ := ParsePeriod(s.Period) // validated by LoadRotation
		due := s.Rotated.Add(p)
		if s.Rotated.IsZero() {
			due = time.Time{}
		}
		out = append(out, DueItem{Name: name, Spec: s, Due: due, Overdue: !due.After(now)})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Due.Equal(out[j].Due) {
			return out[i].Due.Before(out[j].Due)
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// RenderSchedule prints the rotation table; with onlyDue, only overdue secrets.
func RenderSchedule(w io.Writer, items []DueItem, onlyDue bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SECRET\tGENERATOR\tPERIOD\tROTATED\tDUE\tSTATE")
	n := 0
	for _, it := range items {
		if onlyDue && !it.Overdue {
			continue
		}
		n++
		rotated, due := "never", "now"
		if !it.Spec.Rotated.IsZero() {
			rotated = it.Spec.Rotated.UTC().Format(time.DateOnly)
			due = it.Due.UTC().Format(time.DateOnly)
		}
		state := "ok"
		if it.Overdue {
			state = "DUE"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", it.Name, it.Spec.Generator, it.Spec.Period, rotated, due, state)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if onlyDue && n == 0 {
		fmt.Fprintln(w, "no secret is due for rotation")
	}
	return nil
}

// Rotate regenerates the named secrets (all due ones when names is empty), encrypting each to its
// secrets.nix recipients. The .age file is replaced before the metadata records it, each
// atomically: a crash leaves a decryptable file and, at worst, a secret rotated again next run.
// Rotation needs no private key: the old value is not read.
func Rotate(ctx context.Context, r *Rules, rot *Rotation, names []string, now time.Time, rnd io.Reader) ([]string, error) {
	if len(names) == 0 {
		for _, it := range rot.Schedule(now) {
			if it.Overdue {
				names = append(names, it.Name)
			}
		}
	}
	var done []string
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		e, err := r.Entry(name)
		if err != nil {
			return done, err
		}
		spec, ok := rot.Secrets[e.Name]
		if !ok {
			return done, fmt.Errorf("%s: %q has no rotation spec (add [%q] with generator and period)", rot.Path, e.Name, e.Name)
		}
		g, err := Generate(rnd, spec.Generator, spec.Length, strings.TrimSuffix(filepath.Base(e.Name), ".age"))
		if err != nil {
			return done, fmt.Errorf("%s: %w", e.Name, err)
		}
		ct, err := Encrypt(g.Secret, e.Recipients, e.Armor)
		if err != nil {
			return done, fmt.Errorf("%s: encrypt: %w", e.Name, err)
		}
		if err := WriteFileAtomic(e.Path, ct, 0o644); err != nil {
			return done, fmt.Errorf("%s: %w", e.Name, err)
		}
		spec.Rotated = now.UTC().Truncate(time.Second)
		spec.PublicKey = g.Public
		if err := rot.Save(); err != nil {
			return done, err
		}
		done = append(done, e.Name)
	}
	return done, nil
}
