package secrets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nixos-hub/hub/internal/durablefile"
	"github.com/nixos-hub/hub/internal/tomlfile"
)

// RotationFile is the metadata file kept beside secrets.nix.
const RotationFile = "rotation.toml"

// RotationSpec is how and when one secret is regenerated, and how its consumer takes the new
// value (internal/rotation carries it out).
type RotationSpec struct {
	Generator string    `toml:"generator"`
	Length    int       `toml:"length,omitempty"`
	Period    string    `toml:"period"`
	Rotated   time.Time `toml:"rotated,omitempty"`
	// PublicKey is the public half of a generated key pair, for configs that need it.
	PublicKey string `toml:"public_key,omitempty"`

	// Consumer is how the service using the secret takes a new value: ConsumerRestic,
	// ConsumerRestart or ConsumerManual; empty is ConsumerManual.
	Consumer string `toml:"consumer,omitempty"`
	// Units are the systemd units ConsumerRestart restarts on each host that uses the secret
	// once the new value is there (sops-nix's restartUnits).
	Units []string `toml:"units,omitempty"`
	// Instructions are what ConsumerManual prints: what a person does so the consumer takes
	// the new value.
	Instructions string `toml:"instructions,omitempty"`
}

// Consumers: how the user of a secret takes a new value.
const (
	// ConsumerRestic is a restic repository password: the hosts' repositories get a key for
	// the new password before it is deployed, and lose the old one only after every
	// repository opens with the deployed file.
	ConsumerRestic = "restic"
	// ConsumerRestart is a service that reads the secret when it starts: its Units are
	// restarted after the deploy.
	ConsumerRestart = "restart"
	// ConsumerManual is one the hub cannot update: the deploy brings the value, Instructions
	// say the rest.
	ConsumerManual = "manual"
)

// consumers lists the consumer names.
func consumers() []string { return []string{ConsumerRestic, ConsumerRestart, ConsumerManual} }

// ConsumerOf is the spec's consumer, ConsumerManual when it names none.
func (s *RotationSpec) ConsumerOf() string {
	if s.Consumer == "" {
		return ConsumerManual
	}
	return s.Consumer
}

// validConsumer checks the consumer and the fields it needs.
func (s *RotationSpec) validConsumer() error {
	switch s.ConsumerOf() {
	case ConsumerRestic, ConsumerManual:
		if len(s.Units) > 0 {
			return fmt.Errorf("units: only for consumer %q", ConsumerRestart)
		}
	case ConsumerRestart:
		if len(s.Units) == 0 {
			return errors.New(`consumer "restart" needs units = ["name.service", ...]`)
		}
		for _, u := range s.Units {
			if u == "" || strings.ContainsAny(u, " \t\n/'\"") || !strings.Contains(u, ".") {
				return fmt.Errorf("units: %q is not a systemd unit name (e.g. grafana.service)", u)
			}
		}
	default:
		return fmt.Errorf("unknown consumer %q (want %s)", s.Consumer, strings.Join(consumers(), ", "))
	}
	return nil
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
		if err := s.validConsumer(); err != nil {
			return nil, fmt.Errorf("%s: [%q]: %w", rot.Path, name, err)
		}
	}
	return rot, nil
}

// Record writes the rotation of name (rotated, and public_key when it has one) into
// rotation.toml atomically, editing the secret's table in place: the person's comments and
// layout stay as they were.
func (rot *Rotation) Record(name string, rotated time.Time, public string) error {
	spec, ok := rot.Secrets[name]
	if !ok {
		return fmt.Errorf("%s: no [%q]", rot.Path, name)
	}
	data, err := os.ReadFile(rot.Path)
	if err != nil {
		return err
	}
	rotated = rotated.UTC().Truncate(time.Second)
	// A quoted RFC 3339 string, not a TOML datetime: Nix's builtins.fromTOML has no datetimes,
	// and nix/rotation-public-keys.nix reads this file. Both forms decode.
	sets := []tomlfile.Set{{Key: "rotated", Value: rotated.Format(time.RFC3339)}}
	if public != "" || spec.PublicKey != "" {
		sets = append(sets, tomlfile.Set{Key: "public_key", Value: public})
	}
	out, err := tomlfile.SetKeys(data, []string{name}, sets...)
	if err != nil {
		return fmt.Errorf("%s: %w", rot.Path, err)
	}
	if err := durablefile.Write(rot.Path, out, 0o644); err != nil {
		return fmt.Errorf("%s: %w", rot.Path, err)
	}
	spec.Rotated, spec.PublicKey = rotated, public
	return nil
}

// parsePeriod accepts Go durations plus whole days and weeks ("90d", "2w"), the units rotation
// periods are written in.
func parsePeriod(s string) (time.Duration, error) {
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
		p, _ := parsePeriod(s.Period) // validated by LoadRotation
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

// rotate regenerates the named secrets (all due ones when names is empty), encrypting each to its
// secrets.nix recipients. The .age file is replaced before the metadata records it, each
// atomically: a crash leaves a decryptable file and, at worst, a secret rotated again next run.
// Rotation needs no private key: the old value is not read.
func rotate(ctx context.Context, r *Rules, rot *Rotation, names []string, now time.Time, rnd io.Reader) ([]string, error) {
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
		nv, err := rot.NewValue(r, name, rnd)
		if err != nil {
			return done, err
		}
		if err := durablefile.Write(nv.Entry.Path, nv.Ciphertext, 0o644); err != nil {
			return done, fmt.Errorf("%s: %w", nv.Entry.Name, err)
		}
		if err := rot.Record(nv.Entry.Name, now, nv.Public); err != nil {
			return done, err
		}
		done = append(done, nv.Entry.Name)
	}
	return done, nil
}

// NewValue is a secret's next value, generated by its spec and encrypted to its recipients,
// not written anywhere yet.
type NewValue struct {
	Entry *Entry
	Spec  *RotationSpec
	Generated
	Ciphertext []byte
}

// NewValue generates the next value of the secret name.
func (rot *Rotation) NewValue(r *Rules, name string, rnd io.Reader) (*NewValue, error) {
	e, err := r.Entry(name)
	if err != nil {
		return nil, err
	}
	spec, ok := rot.Secrets[e.Name]
	if !ok {
		return nil, fmt.Errorf("%s: %q has no rotation spec (add [%q] with generator and period)", rot.Path, e.Name, e.Name)
	}
	g, err := generate(rnd, spec.Generator, spec.Length, strings.TrimSuffix(filepath.Base(e.Name), ".age"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Name, err)
	}
	ct, err := Encrypt(g.Secret, e.Recipients, e.Armor)
	if err != nil {
		return nil, fmt.Errorf("%s: encrypt: %w", e.Name, err)
	}
	return &NewValue{Entry: e, Spec: spec, Generated: g, Ciphertext: ct}, nil
}
