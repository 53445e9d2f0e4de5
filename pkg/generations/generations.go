// Package generations lists and switches the NixOS system generations of a host: the recovery
// path when a deploy went through but the system is wrong, and the one that needs nothing but
// the host's own profile (no build, no network).
package generations

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nixos-hub/hub/pkg/command"
)

// Profile is the system profile every generation is a link of.
const Profile = "/nix/var/nix/profiles/system"

// Generation is one entry of `nix-env --list-generations`.
type Generation struct {
	Number  int
	Created time.Time // in the host's local time, as nix-env prints it
	Current bool
}

var lineRe = regexp.MustCompile(`^\s*(\d+)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s*(\(current\))?\s*$`)

// Parse reads `nix-env -p PROFILE --list-generations`.
func Parse(out string) ([]Generation, error) {
	var gens []Generation
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		m := lineRe.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("unexpected nix-env --list-generations line %q", line)
		}
		n, _ := strconv.Atoi(m[1])
		at, err := time.Parse("2006-01-02 15:04:05", m[2])
		if err != nil {
			return nil, fmt.Errorf("generation %d: %w", n, err)
		}
		gens = append(gens, Generation{Number: n, Created: at, Current: m[3] != ""})
	}
	return gens, nil
}

// List returns the host's system generations, oldest first.
func List(ctx context.Context, h *command.Host) ([]Generation, error) {
	out, err := h.Output(ctx, "nix-env", "-p", Profile, "--list-generations")
	if err != nil {
		return nil, fmt.Errorf("host %s: list generations: %w", h.Name(), err)
	}
	gens, err := Parse(out)
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", h.Name(), err)
	}
	return gens, nil
}

// Target picks the generation a rollback goes to: gen when given (it must exist and not be the
// current one), otherwise the newest one older than the current.
func Target(gens []Generation, gen int) (Generation, error) {
	cur := -1
	for i, g := range gens {
		if g.Current {
			cur = i
		}
	}
	if cur < 0 {
		return Generation{}, errors.New("no current generation in the profile")
	}
	if gen == 0 {
		if cur == 0 {
			return Generation{}, fmt.Errorf("generation %d is the oldest: nothing to roll back to", gens[cur].Number)
		}
		return gens[cur-1], nil
	}
	for _, g := range gens {
		if g.Number == gen {
			if g.Current {
				return Generation{}, fmt.Errorf("generation %d is already the current one", gen)
			}
			return g, nil
		}
	}
	return Generation{}, fmt.Errorf("no generation %d (the profile has %s)", gen, numbers(gens))
}

// Rollback makes generation gen (0: the previous one) current and activates it with
// switch-to-configuration switch, which also makes it the default boot entry.
func Rollback(ctx context.Context, h *command.Host, gen int) (Generation, error) {
	gens, err := List(ctx, h)
	if err != nil {
		return Generation{}, err
	}
	g, err := Target(gens, gen)
	if err != nil {
		return Generation{}, fmt.Errorf("host %s: rollback: %w", h.Name(), err)
	}
	if _, err := h.Run(ctx, command.Cmd{Args: []string{"nix-env", "-p", Profile, "--switch-generation", strconv.Itoa(g.Number)}}); err != nil {
		return g, fmt.Errorf("host %s: rollback to %d: switch profile: %w", h.Name(), g.Number, err)
	}
	if _, err := h.Run(ctx, command.Cmd{Args: []string{Profile + "/bin/switch-to-configuration", "switch"}}); err != nil {
		return g, fmt.Errorf("host %s: rollback to %d: activate: %w", h.Name(), g.Number, err)
	}
	return g, nil
}

// Write prints the generations as a table.
func Write(w io.Writer, gens []Generation) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "GENERATION\tCREATED\tCURRENT")
	for _, g := range gens {
		cur := ""
		if g.Current {
			cur = "*"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\n", g.Number, g.Created.Format("2006-01-02 15:04:05"), cur)
	}
	return tw.Flush()
}

func numbers(gens []Generation) string {
	var s []string
	for _, g := range gens {
		s = append(s, strconv.Itoa(g.Number))
	}
	return strings.Join(s, ", ")
}
