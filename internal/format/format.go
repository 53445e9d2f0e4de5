// Package format formats the hub's sources with each language's own formatter: Go with gofmt,
// Nix with nixfmt (or nixpkgs-fmt), shell with shfmt. Run writes the files in place, or, with
// Check, lists the files a formatter would change and writes nothing. A language whose
// formatter is not on this machine is reported as skipped with what to install, never as
// formatted.
//
// Entry points: [Run] formats or checks, [Write] prints the [Result]s and [Err] is the run's
// outcome.
package format

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/nixos-hub/hub/internal/command"
)

// language is one kind of source file and how to format it.
type language struct {
	Name string
	// Match says whether the file (its path, and its first line for scripts without a suffix)
	// is of this language.
	Match func(path, firstLine string) bool
	// Formatters are tried in order; the first on PATH is used.
	Formatters []formatter
	// Missing says what to do when no formatter is on PATH.
	Missing string
}

// formatter is one program that formats a language.
type formatter struct {
	Binary string
	// List returns the args that print, one a line, the files that are not formatted (nil when
	// the formatter cannot list: then CheckOne is run per file).
	List func(files []string) []string
	// CheckOne returns the args whose exit status says whether one file is formatted (0) or not (1).
	CheckOne func(file string) []string
	// Write returns the args that format the files in place.
	Write func(files []string) []string
}

// languages are the languages the hub formats.
func languages() []language {
	return []language{
		{Name: "go", Match: func(p, _ string) bool { return strings.HasSuffix(p, ".go") },
			Formatters: []formatter{{Binary: "gofmt",
				List:  func(fs []string) []string { return append([]string{"gofmt", "-l"}, fs...) },
				Write: func(fs []string) []string { return append([]string{"gofmt", "-w"}, fs...) }}},
			Missing: "gofmt comes with Go: put Go's bin directory on PATH"},
		{Name: "nix", Match: func(p, _ string) bool { return strings.HasSuffix(p, ".nix") },
			Formatters: []formatter{
				// nixfmt (the RFC 166 style, nixpkgs' nixfmt-rfc-style) is nixpkgs' own formatter.
				{Binary: "nixfmt",
					CheckOne: func(f string) []string { return []string{"nixfmt", "--check", f} },
					Write:    func(fs []string) []string { return append([]string{"nixfmt"}, fs...) }},
				{Binary: "nixpkgs-fmt",
					CheckOne: func(f string) []string { return []string{"nixpkgs-fmt", "--check", f} },
					Write:    func(fs []string) []string { return append([]string{"nixpkgs-fmt"}, fs...) }},
			},
			Missing: "no nixfmt or nixpkgs-fmt on PATH (Debian packages neither): install one from nixpkgs on a networked machine, e.g. `nix profile install nixpkgs#nixfmt-rfc-style`, or give -only=go,shell"},
		{Name: "shell", Match: isShell,
			Formatters: []formatter{{Binary: "shfmt",
				// The hub's scripts indent with two spaces and indent case bodies.
				List:  func(fs []string) []string { return append([]string{"shfmt", "-l", "-i", "2", "-ci"}, fs...) },
				Write: func(fs []string) []string { return append([]string{"shfmt", "-w", "-i", "2", "-ci"}, fs...) }}},
			Missing: "shfmt is not on PATH: apt-get install shfmt (go tool mage fmt installs it when run as root)"},
	}
}

// isShell: *.sh, or a file without a suffix whose first line runs sh, dash or bash.
func isShell(p, first string) bool {
	if strings.HasSuffix(p, ".sh") {
		return true
	}
	if filepath.Ext(p) != "" || !strings.HasPrefix(first, "#!") {
		return false
	}
	f := strings.Fields(strings.TrimPrefix(first, "#!"))
	if len(f) == 0 {
		return false
	}
	prog := filepath.Base(f[0])
	if prog == "env" && len(f) > 1 {
		prog = f[1]
	}
	return prog == "sh" || prog == "bash" || prog == "dash"
}

// Options say what Run formats.
type Options struct {
	Root  string   // file names are reported relative to it
	Paths []string // files or directories below Root; empty: Root
	Only  []string // language names; empty: every language
	Check bool     // list what would change, write nothing
}

// Result is one language's outcome.
type Result struct {
	Language  string
	Formatter string   // the program used; "" when skipped
	Files     int      // files of this language found
	Changed   []string // files not formatted (Check) or rewritten, relative to Root
	Skipped   string   // why the language was not formatted: no formatter on PATH
	DryRun    bool     // the commands were printed, not run: nothing is known
}

// Run formats (or checks) the files of every selected language below the paths.
func Run(ctx context.Context, local *command.Host, o Options) ([]Result, error) {
	langs := languages()
	for _, name := range o.Only {
		if !slices.ContainsFunc(langs, func(l language) bool { return l.Name == name }) {
			return nil, fmt.Errorf("-only: no language %q (languages: go, nix, shell)", name)
		}
	}
	if len(o.Only) > 0 {
		langs = slices.DeleteFunc(langs, func(l language) bool { return !slices.Contains(o.Only, l.Name) })
	}
	paths := o.Paths
	if len(paths) == 0 {
		paths = []string{o.Root}
	}
	files := map[string][]string{}
	for _, p := range paths {
		if err := walk(p, langs, files); err != nil {
			return nil, err
		}
	}
	var out []Result
	for _, l := range langs {
		fs := files[l.Name]
		r := Result{Language: l.Name, Files: len(fs)}
		if len(fs) == 0 {
			out = append(out, r)
			continue
		}
		f, ok := pick(l.Formatters)
		if !ok {
			r.Skipped = l.Missing
			out = append(out, r)
			continue
		}
		r.Formatter = f.Binary
		changed, dry, err := unformatted(ctx, local, f, fs)
		if err != nil {
			return out, fmt.Errorf("%s: %w", l.Name, err)
		}
		r.DryRun = dry
		if !o.Check && len(changed) > 0 {
			if _, err := local.Run(ctx, command.Cmd{Args: f.Write(changed)}); err != nil {
				return out, fmt.Errorf("%s: %s: %w", l.Name, f.Binary, err)
			}
		}
		for _, c := range changed {
			if rel, err := filepath.Rel(o.Root, c); err == nil {
				c = rel
			}
			r.Changed = append(r.Changed, c)
		}
		out = append(out, r)
	}
	return out, nil
}

func pick(fs []formatter) (formatter, bool) {
	for _, f := range fs {
		if _, err := exec.LookPath(f.Binary); err == nil {
			return f, true
		}
	}
	return formatter{}, false
}

// unformatted returns the files f would change, and whether the commands were only printed
// (a dry run).
func unformatted(ctx context.Context, local *command.Host, f formatter, files []string) ([]string, bool, error) {
	if f.List != nil {
		res, err := local.Run(ctx, command.Cmd{Args: f.List(files)})
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", f.Binary, err)
		}
		return strings.Fields(string(res.Stdout)), res.DryRun, nil
	}
	var out []string
	dry := false
	for _, file := range files {
		res, err := local.Run(ctx, command.Cmd{Args: f.CheckOne(file)})
		dry = dry || res.DryRun
		if err != nil {
			if _, isExit := errors.AsType[*command.ExitError](err); !isExit || res.ExitCode != 1 {
				return nil, false, fmt.Errorf("%s %s: %w", f.Binary, file, err)
			}
			out = append(out, file)
		}
	}
	return out, dry, nil
}

// walk adds the files below p to files by language, skipping version control, the hub's run
// output (.hub), test data (fixtures kept as they are on purpose) and nix build results.
func walk(p string, langs []language, files map[string][]string) error {
	st, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("fmt: %w", err)
	}
	add := func(path string) error {
		first, err := firstLine(path)
		if err != nil {
			return err
		}
		for _, l := range langs {
			if l.Match(path, first) {
				files[l.Name] = append(files[l.Name], path)
				return nil
			}
		}
		return nil
	}
	if !st.IsDir() {
		return add(p)
	}
	return filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != p && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "result" || d.Name() == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || d.Name() == "mage_output_file.go" {
			return nil
		}
		return add(path)
	})
}

func firstLine(path string) (string, error) {
	if filepath.Ext(path) != "" {
		return "", nil // only suffix-less scripts need their shebang read
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return "", nil
	}
	return strings.TrimSpace(line), nil
}

// Write prints one line per language (formatter, files, what changed or why it was skipped),
// then each changed file.
func Write(w io.Writer, results []Result, check bool) {
	verb := "reformatted"
	if check {
		verb = "not formatted"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LANGUAGE\tFORMATTER\tFILES\tRESULT")
	for _, r := range results {
		switch {
		case r.Files == 0:
			fmt.Fprintf(tw, "%s\t-\t0\tno files\n", r.Language)
		case r.Skipped != "":
			fmt.Fprintf(tw, "%s\t-\t%d\tSKIPPED: %s\n", r.Language, r.Files, r.Skipped)
		case r.DryRun:
			fmt.Fprintf(tw, "%s\t%s\t%d\tdry run: not checked\n", r.Language, r.Formatter, r.Files)
		case len(r.Changed) == 0:
			fmt.Fprintf(tw, "%s\t%s\t%d\tok\n", r.Language, r.Formatter, r.Files)
		default:
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d %s\n", r.Language, r.Formatter, r.Files, len(r.Changed), verb)
		}
	}
	tw.Flush()
	for _, r := range results {
		for _, c := range r.Changed {
			fmt.Fprintf(w, "%s: %s\n", verb, c)
		}
	}
}

// Err is the run's outcome: with check, the files not formatted; and any language skipped for
// want of its formatter, since its files were neither formatted nor checked.
func Err(results []Result, check bool) error {
	var changed, skipped []string
	for _, r := range results {
		if r.Skipped != "" {
			skipped = append(skipped, fmt.Sprintf("%s (%d files)", r.Language, r.Files))
		}
		if check {
			changed = append(changed, r.Changed...)
		}
	}
	var errs []error
	if len(changed) > 0 {
		errs = append(errs, fmt.Errorf("%d files not formatted: %s (go tool mage fmt writes them)", len(changed), strings.Join(changed, ", ")))
	}
	if len(skipped) > 0 {
		errs = append(errs, fmt.Errorf("SKIPPED %s: no formatter on PATH (see above)", strings.Join(skipped, ", ")))
	}
	return errors.Join(errs...)
}
