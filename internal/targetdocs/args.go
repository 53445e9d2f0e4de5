package targetdocs

import (
	"fmt"
	"strings"
)

// CheckArgs reads a command line of targets as mage's generated main will (each target name,
// its positional arguments, then its flags as -name=value, then the next target) and returns
// one line for the first argument mage would misread: a target that does not exist (with the
// closest one), a missing positional, a flag before the positionals, a flag with two dashes or
// a name the target does not have, or an extra argument. Mage's own messages for these say
// `expected 1, got 0` or `Unknown target specified` with internal casing, or worse, take a
// flag as a positional value and run.
func CheckArgs(ts []Target, args []string) error {
	var prev *Target
	for i := 0; i < len(args); {
		t, err := Find(ts, args[i])
		if err != nil {
			if prev != nil {
				return fmt.Errorf("extra argument %q: %s takes %s, and %w", args[i], prev.Name, takes(*prev), err)
			}
			return err
		}
		prev = &t
		i++
		var pos, flags []Param
		for _, p := range t.Params {
			if strings.HasPrefix(p.Name, "-") {
				flags = append(flags, p)
			} else {
				pos = append(pos, p)
			}
		}
		for n, p := range pos {
			if i >= len(args) {
				return fmt.Errorf("%s needs %s (missing %s): go tool mage %s %s", t.Name, countArgs(len(pos)), names(pos[n:]), t.Name, t.Args)
			}
			if f, ok := flagNamed(flags, args[i]); ok {
				return fmt.Errorf("%s: flag %s comes before %s; flags go after the positional arguments: %s", t.Name, f.Name, p.Name, usageLine(t))
			}
			i++
		}
		for i < len(args) && strings.HasPrefix(args[i], "-") {
			if err := checkFlag(t, flags, args[i]); err != nil {
				return err
			}
			i++
		}
	}
	return nil
}

// checkFlag accepts what mage's generated main parses as one of t's flags.
func checkFlag(t Target, flags []Param, arg string) error {
	name, val, hasVal := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	if strings.HasPrefix(arg, "--") {
		return fmt.Errorf("%s: %s has two dashes; mage flags take one: -%s", t.Name, arg, strings.TrimLeft(arg, "-"))
	}
	if len(flags) == 0 {
		return fmt.Errorf("%s takes no flags, got %s: %s", t.Name, arg, usageLine(t))
	}
	for _, f := range flags {
		if !strings.EqualFold(f.Name, "-"+name) {
			continue
		}
		if !hasVal && f.Type != "bool" {
			return fmt.Errorf("%s: flag %s needs a value: %s=<%s>", t.Name, f.Name, f.Name, f.Type)
		}
		if hasVal && val == "" && f.Type != "string" {
			return fmt.Errorf("%s: flag %s has an empty value: %s=<%s>", t.Name, f.Name, f.Name, f.Type)
		}
		return nil
	}
	best, bestD := flags[0].Name, -1
	for _, f := range flags {
		if d := distance(strings.ToLower(f.Name), "-"+strings.ToLower(name)); bestD < 0 || d < bestD {
			best, bestD = f.Name, d
		}
	}
	hint := ""
	if bestD <= max(2, len(name)/3) {
		hint = fmt.Sprintf("did you mean %s? ", best)
	}
	var all []string
	for _, f := range flags {
		all = append(all, f.Name)
	}
	return fmt.Errorf("%s has no flag -%s: %s(its flags: %s)", t.Name, name, hint, strings.Join(all, " "))
}

// flagNamed reports whether arg names one of flags (-name or -name=value), as a person who
// put the flag first meant it.
func flagNamed(flags []Param, arg string) (Param, bool) {
	if !strings.HasPrefix(arg, "-") {
		return Param{}, false
	}
	name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	for _, f := range flags {
		if strings.EqualFold(f.Name, "-"+name) {
			return f, true
		}
	}
	return Param{}, false
}

// usageLine is the command line t takes.
func usageLine(t Target) string {
	return strings.TrimSpace("go tool mage " + t.Name + " " + t.Args)
}

// takes is what t takes, for a sentence.
func takes(t Target) string {
	if t.Args == "" {
		return "no arguments"
	}
	return t.Args
}

func names(ps []Param) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return strings.Join(out, " ")
}

func countArgs(n int) string {
	if n == 1 {
		return "1 argument"
	}
	return fmt.Sprintf("%d arguments", n)
}
