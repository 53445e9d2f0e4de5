package nixoptions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

// Runner runs a nix command in dir and returns its stdout; tests substitute a fake.
type Runner func(ctx context.Context, dir string, args ...string) ([]byte, error)

// ExecNix runs nix (flakes enabled) through internal/nix on this machine, folding stderr into the error.
func ExecNix(ctx context.Context, dir string, args ...string) ([]byte, error) {
	// The real fleet's settings: this evaluates the flake's real inputs, fetched with the
	// machine's own configuration (nothing is built).
	// Every path it is given is absolute (dir is the flake root, named in args too). Read-only:
	// it evaluates and fetches inputs, and builds nothing.
	n := nix.On((&command.Executor{}).Local(), nix.Real())
	c := n.Cmd("nix", nil, args...)
	c.ReadOnly = true
	res, err := n.Run(ctx, c)
	if xe, ok := errors.AsType[*command.ExitError](err); ok {
		return nil, fmt.Errorf("nix %s: exit status %d: %s", strings.Join(args, " "), xe.ExitCode, strings.TrimSpace(xe.Stderr))
	}
	if err != nil {
		return nil, fmt.Errorf("nix %s: %w", strings.Join(args, " "), err)
	}
	return res.Stdout, nil
}

// UnreachableError means the flake's inputs could not be fetched, so the manifest was left as
// recorded.
type UnreachableError struct{ Reason string }

func (e *UnreachableError) Error() string {
	return "nixpkgs is not reachable (" + e.Reason + "): " + ManifestFile + " stays as recorded; run nix:optionsManifest where the flake's inputs can be fetched, or correct the entry by hand from the release-25.11 source (docs/features.md)"
}

// Regen configures Regenerate.
type Regen struct {
	Root         string
	Run          Runner        // default ExecNix
	ProbeTimeout time.Duration // for `nix flake metadata`; default 30s
	Now          func() time.Time
}

// regenOutput is nix/options-manifest.nix's result plus the inputs' provenance.
type regenOutput struct {
	Options []struct {
		Loc          []string `json:"loc"`
		Type         string   `json:"type"`
		Declarations []string `json:"declarations"`
		RenamedTo    *string  `json:"renamedTo"`
	} `json:"options"`
	Unresolved [][]string `json:"unresolved"`
	Inputs     map[string]struct {
		OutPath string `json:"outPath"`
		Rev     string `json:"rev"`
		Ref     string `json:"ref"`
	} `json:"inputs"`
}

// Regenerate rewrites the manifest from a real nixpkgs: the options of the first host's
// nixosSystem, for every path the manifest lists and every path the hub sets or reads
// (Collect). Where the flake's inputs cannot be fetched it changes nothing and returns an
// *UnreachableError.
func Regenerate(ctx context.Context, r Regen, out io.Writer) error {
	if r.Run == nil {
		r.Run = ExecNix
	}
	if r.ProbeTimeout == 0 {
		r.ProbeTimeout = 30 * time.Second
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	root, err := filepath.Abs(r.Root)
	if err != nil {
		return err
	}
	probe, cancel := context.WithTimeout(ctx, r.ProbeTimeout)
	_, err = r.Run(probe, root, "flake", "metadata", "--no-write-lock-file", "--json", root)
	cancel()
	if err != nil {
		return &UnreachableError{Reason: errorLine(err.Error())}
	}
	path := filepath.Join(root, ManifestFile)
	old, err := LoadManifest(path)
	if err != nil {
		return err
	}
	hosts, err := RepoHosts(root)
	if err != nil {
		return err
	}
	used, err := Collect(ctx, Options{Root: root})
	if err != nil {
		return err
	}
	paths, err := regenPaths(old, used)
	if err != nil {
		return err
	}
	pf, err := os.CreateTemp("", "hub-options-paths-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(pf.Name())
	if err := json.NewEncoder(pf).Encode(paths); err != nil {
		pf.Close()
		return err
	}
	pf.Close()
	data, err := r.Run(ctx, root, "eval", "--json", "--impure", "--expr", regenExpr(root, hosts[0], pf.Name()))
	if err != nil {
		return fmt.Errorf("options manifest: nix eval of nixosConfigurations.%s.options: %w", hosts[0], err)
	}
	var res regenOutput
	if err := json.Unmarshal(data, &res); err != nil {
		return fmt.Errorf("options manifest: nix eval output: %w", err)
	}
	m, err := buildManifest(old, &res, hosts[0], r.Now())
	if err != nil {
		return err
	}
	if err := WriteManifest(path, m); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d options from nixpkgs %s (%d paths unresolved: the check reports them)\n",
		ManifestFile, len(m.Options), m.Sources[0].Commit, len(res.Unresolved))
	for _, u := range res.Unresolved {
		fmt.Fprintf(out, "  unresolved: %s\n", FormatPath(u))
	}
	return nil
}

// regenExpr evaluates options-manifest.nix over the first host's options, with the flake inputs'
// store paths and revisions for dating the record.
func regenExpr(root, host, pathsFile string) string {
	return fmt.Sprintf(`let
  flake = builtins.getFlake (toString %s);
  inputs = builtins.mapAttrs (n: i: { outPath = toString i.outPath; rev = i.rev or ""; ref = i.sourceInfo.ref or ""; }) flake.inputs;
  paths = builtins.fromJSON (builtins.readFile %s);
in import %s { options = flake.nixosConfigurations.%s.options; inherit paths; } // { inherit inputs; }`,
		strconv.Quote(root), strconv.Quote(pathsFile), strconv.Quote(filepath.Join(root, "nix", "options-manifest.nix")), strconv.Quote(host))
}

// regenPaths is every path to resolve: the manifest's (with <name> segments) and the used ones.
func regenPaths(m *Manifest, u *Used) ([][]string, error) {
	seen := map[string]bool{}
	var paths [][]string
	for _, list := range [][]string{m.Paths(), u.Set, u.Reads} {
		for _, p := range list {
			if seen[p] {
				continue
			}
			seen[p] = true
			segs, err := ParsePath(p)
			if err != nil {
				return nil, err
			}
			paths = append(paths, segs)
		}
	}
	return paths, nil
}

// buildManifest turns the evaluation into a manifest: declaring files made relative to the input
// that holds them, sources dated now and pinned to the inputs' revisions.
func buildManifest(old *Manifest, res *regenOutput, host string, now time.Time) (*Manifest, error) {
	type input struct{ name, outPath string }
	var inputs []input
	for n, i := range res.Inputs {
		if i.OutPath != "" {
			inputs = append(inputs, input{n, strings.TrimSuffix(i.OutPath, "/") + "/"})
		}
	}
	sort.Slice(inputs, func(a, b int) bool { return len(inputs[a].outPath) > len(inputs[b].outPath) })
	m := &Manifest{Comment: old.Comment, Release: old.Release, Options: map[string]Option{}}
	date := now.UTC().Format("2006-01-02")
	for _, s := range old.Sources {
		in := res.Inputs[s.Name]
		s.Commit, s.Date = in.Rev, date
		if in.Ref != "" {
			s.Ref = in.Ref
		}
		s.Method = fmt.Sprintf("nix eval of nixosConfigurations.%s.options (nix/options-manifest.nix), go tool mage nix:optionsManifest", host)
		m.Sources = append(m.Sources, s)
	}
	for _, o := range res.Options {
		opt := Option{Type: o.Type, Declared: "(unknown)"}
		for _, d := range o.Declarations {
			for _, in := range inputs {
				if rel, ok := strings.CutPrefix(d, in.outPath); ok {
					opt.Declared = rel
					if in.name != "nixpkgs" {
						opt.Source = in.name
					}
					break
				}
			}
			if opt.Declared != "(unknown)" {
				break
			}
		}
		if o.RenamedTo != nil {
			opt.RenamedTo = *o.RenamedTo
		}
		p := FormatPath(o.Loc)
		if prev, ok := old.Options[p]; ok && prev.Note != "" && prev.Type == opt.Type {
			opt.Note = prev.Note // a note dating a change stays while the type it explains does
		}
		if _, err := ParseType(opt.Type); err != nil {
			return nil, fmt.Errorf("options manifest: option %s: %w", p, err)
		}
		m.Options[p] = opt
	}
	for p, o := range m.Options {
		if o.RenamedTo != "" {
			if _, ok := m.Options[o.RenamedTo]; !ok {
				return nil, errors.New("options manifest: option " + p + " is an alias of " + o.RenamedTo + ", which the evaluation did not return")
			}
		}
	}
	return m, nil
}

// errorLine is the line of nix's output that says what failed ("error: ..."), else the first.
func errorLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if i := strings.Index(l, "error:"); i >= 0 {
			return strings.TrimSpace(l[i:])
		}
	}
	return firstLines(s, 1)
}
