package nix

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"golang.org/x/sync/errgroup"
)

// Nix is nix on one machine's store with one fleet's settings: the layer the other packages
// call instead of writing nix command lines themselves, as colmena's host abstraction does
// (evaluate, realise, copy closures, profiles, garbage collection on one type). Host is this
// machine or a host over ssh (a build host, a deploy target); a remote host's own nix runs with
// its own configuration, so Settings are the zero value there (On(host, Settings{})).
type Nix struct {
	Host     *command.Host
	Settings Settings
	// Offline runs every nix call in a network namespace of its own (unshare --net) with
	// --offline and one download attempt: it uses what the store already has and cannot send a
	// packet, which is what a test suite needs. It needs root.
	Offline bool
}

// On is nix on h with the settings s.
func On(h *command.Host, s Settings) Nix { return Nix{Host: h, Settings: s} }

// Cmd is the command line of one nix program: program, its subcommand or operation (op), the
// settings, then args — the order every caller used, so dry runs read as before. Callers that
// need a timeout, an environment or live stderr set them on the result.
func (n Nix) Cmd(program string, op []string, args ...string) command.Cmd {
	var argv []string
	if n.Offline {
		// One download attempt: there is no network to retry against.
		argv = []string{"unshare", "--net", "--", program, "--offline", "--option", "download-attempts", "1"}
	} else {
		argv = []string{program}
	}
	argv = append(argv, op...)
	argv = append(argv, n.Settings.Args()...)
	return command.Cmd{Args: append(argv, args...)}
}

// Run runs c on n.Host.
func (n Nix) Run(ctx context.Context, c command.Cmd) (command.Result, error) {
	return n.Host.Run(ctx, c)
}

// Instantiate runs nix-instantiate on a dummy store (EvalArgs) for an evaluation that builds
// nothing and reads no store path (parsing, secrets.nix, the feature registry). It changes
// nothing, so it runs in a dry run too (command.Cmd.ReadOnly). The settings are not passed:
// such an evaluation needs none of them.
func (n Nix) Instantiate(ctx context.Context, stdin io.Reader, args ...string) (command.Result, error) {
	return n.Host.Run(ctx, command.Cmd{Args: append(append([]string{"nix-instantiate"}, EvalArgs()...), args...), Stdin: stdin, ReadOnly: true})
}

// System is a host's evaluated toplevel.
type System struct {
	Drv string `json:"drv"`
	Out string `json:"out"`
	// Warnings are the configuration's NixOS evaluation warnings (config.warnings, what
	// nixos-rebuild prints as "trace: warning: ..."). The toplevel forces them anyway, so
	// reading them costs nothing; update:preview compares them between two locks.
	Warnings []string `json:"warnings,omitempty"`
}

// EvalOptions say how Toplevels splits the hosts.
type EvalOptions struct {
	// Chunk is how many hosts one nix eval evaluates; 0 means all of them. A deploy evaluates
	// every host at once (the flake is fetched, parsed and its shared modules evaluated once
	// instead of once per host); test:eval one at a time, so each host's error is its own.
	Chunk int
	// Parallel is how many chunks are evaluated at once; below 1 means 1.
	Parallel int
	// Extra are more nix eval options (--no-write-lock-file for a scratch worktree).
	Extra []string
}

var safeName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// Toplevel is one host's evaluation.
type Toplevel struct {
	Host     string
	System   System
	Duration time.Duration // of the nix eval that evaluated it (its chunk's)
	Err      error
}

// Toplevels evaluates the toplevel of every named host of flake#nixosConfigurations, o.Chunk
// hosts per nix eval. When a chunk of several hosts fails, its hosts are evaluated again one at a
// time, so the error names the broken host rather than the whole chunk. The result is nil when
// any host failed; EvalToplevels keeps each host's own result.
func (n Nix) Toplevels(ctx context.Context, flake string, hosts []string, o EvalOptions) (map[string]System, error) {
	res, err := n.EvalToplevels(ctx, flake, hosts, o)
	if err != nil {
		return nil, err
	}
	out := map[string]System{}
	var failed []error
	for _, r := range res {
		if r.Err != nil {
			failed = append(failed, r.Err)
			continue
		}
		out[r.Host] = r.System
	}
	if len(failed) > 0 {
		return nil, errors.Join(failed...)
	}
	return out, nil
}

// EvalToplevels is Toplevels with one result per host, in the given order; its error is only
// for host names that cannot be evaluated at all.
func (n Nix) EvalToplevels(ctx context.Context, flake string, hosts []string, o EvalOptions) ([]Toplevel, error) {
	for _, h := range hosts {
		if !safeName.MatchString(h) {
			return nil, fmt.Errorf("evaluate: host name %q cannot be a Nix attribute name", h)
		}
	}
	results := make([]Toplevel, len(hosts))
	index := map[string]int{}
	for i, h := range hosts {
		results[i].Host = h
		index[h] = i
	}
	set := func(chunk []string, got map[string]System, d time.Duration, err error) {
		for _, h := range chunk {
			r := &results[index[h]]
			r.System, r.Duration, r.Err = got[h], d, err
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(o.Parallel, 1))
	for _, chunk := range chunks(hosts, o.Chunk) {
		g.Go(func() error {
			start := time.Now()
			got, err := n.toplevels(gctx, flake, chunk, o.Extra)
			var exit *command.ExitError
			if err == nil || len(chunk) == 1 || !errors.As(err, &exit) || ctx.Err() != nil {
				set(chunk, got, time.Since(start), err)
				return nil
			}
			for _, h := range chunk {
				start := time.Now()
				one, err := n.toplevels(gctx, flake, []string{h}, o.Extra)
				set([]string{h}, one, time.Since(start), err)
			}
			// One chunk failing must not cancel the others: the report names every broken host.
			return nil
		})
	}
	_ = g.Wait()
	return results, nil
}

// chunks splits hosts into runs of at most size (all of them when size < 1).
func chunks(hosts []string, size int) [][]string {
	if size < 1 || size >= len(hosts) {
		return [][]string{hosts}
	}
	var out [][]string
	for len(hosts) > 0 {
		k := min(size, len(hosts))
		out = append(out, hosts[:k])
		hosts = hosts[k:]
	}
	return out
}

// toplevels is one nix eval of the named hosts' toplevels.
func (n Nix) toplevels(ctx context.Context, flake string, names []string, extra []string) (map[string]System, error) {
	quoted := make([]string, len(names))
	for i, h := range names {
		quoted[i] = strconv.Quote(h)
	}
	apply := `cs: builtins.mapAttrs (n: c: { drv = c.config.system.build.toplevel.drvPath; out = c.config.system.build.toplevel.outPath; warnings = c.config.warnings or [ ]; })` +
		` (builtins.intersectAttrs (builtins.listToAttrs (map (n: { name = n; value = null; }) [ ` + strings.Join(quoted, " ") + ` ])) cs)`
	c := n.Cmd("nix", []string{"eval"}, extra...)
	c.Args = append(c.Args, "--json", flake+"#nixosConfigurations", "--apply", apply)
	res, err := n.Run(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w (check the flake with `nix flake check %s`)", strings.Join(names, " "), err, flake)
	}
	if res.DryRun {
		out := map[string]System{}
		for _, h := range names {
			out[h] = System{Drv: "/nix/store/<dry-run>-" + h + ".drv", Out: "/nix/store/<dry-run>-" + h}
		}
		return out, nil
	}
	var out map[string]System
	if err := json.Unmarshal(res.Stdout, &out); err != nil {
		return nil, fmt.Errorf("evaluate: unexpected nix eval output: %w", err)
	}
	var missing []string
	for _, h := range names {
		if s, ok := out[h]; !ok || s.Out == "" || s.Drv == "" {
			missing = append(missing, h)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("evaluate: %s#nixosConfigurations has no %s: add the host to the flake", flake, strings.Join(missing, ", "))
	}
	return out, nil
}

// RealiseOptions say how Realise builds.
type RealiseOptions struct {
	// KeepGoing: one host's broken system must not stop the others' builds.
	KeepGoing bool
	// MaxJobsAuto: Nix's default of one job would build the hosts' systems one after another.
	MaxJobsAuto bool
	DryRun      bool // --dry-run: print what would be built and fetched (on stderr), build nothing
	// LogJSON writes nix's log as events (--log-format internal-json, internal/nixprogress reads
	// them) instead of text.
	LogJSON bool
	Stderr  io.Writer
}

// Realise builds the derivations drvs in n.Host's store (nix-store --realise).
func (n Nix) Realise(ctx context.Context, drvs []string, o RealiseOptions) (command.Result, error) {
	op := []string{"--realise"}
	if o.DryRun {
		op = append(op, "--dry-run")
	}
	c := n.Cmd("nix-store", op)
	if o.KeepGoing {
		c.Args = append(c.Args, "--keep-going")
	}
	if o.MaxJobsAuto {
		c.Args = append(c.Args, "--max-jobs", "auto")
	}
	if o.LogJSON {
		c.Args = append(c.Args, "--log-format", "internal-json")
	}
	c.Args = append(c.Args, drvs...)
	c.Stderr = o.Stderr
	return n.Run(ctx, c)
}

// Invalid are those of paths that are not valid in n.Host's store (not built or fetched yet).
func (n Nix) Invalid(ctx context.Context, paths []string) (map[string]bool, error) {
	res, err := n.Run(ctx, n.Cmd("nix-store", []string{"--check-validity", "--print-invalid"}, paths...))
	if err != nil {
		return nil, err
	}
	bad := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(res.Stdout)), "\n") {
		if l != "" {
			bad[l] = true
		}
	}
	return bad, nil
}

// CopyOptions say what CopyClosure copies and how.
type CopyOptions struct {
	From                    string // source store URI (a build host's); "": n.Host's store
	Derivation              bool   // copy the derivations' closure, to build them on the destination
	SubstituteOnDestination bool   // the destination fetches what it can from its binary caches
	Timeout                 time.Duration
	Stderr                  io.Writer
}

// CopyClosure copies the closure of paths from n.Host's store (or o.From) to the store of the
// host to, over ssh with to's own ssh options (NIX_SSHOPTS).
func (n Nix) CopyClosure(ctx context.Context, to *command.Host, paths []string, o CopyOptions) (command.Result, error) {
	c := n.Cmd("nix", []string{"copy"})
	if o.Derivation {
		c.Args = append(c.Args, "--derivation")
	}
	if o.SubstituteOnDestination {
		c.Args = append(c.Args, "--substitute-on-destination")
	}
	if o.From != "" {
		c.Args = append(c.Args, "--from", o.From)
	}
	c.Args = append(append(c.Args, "--to", to.StoreURI()), paths...)
	c.Env = []string{"NIX_SSHOPTS=" + to.NixSSHOpts()}
	c.Timeout, c.Stderr = o.Timeout, o.Stderr
	return n.Run(ctx, c)
}

// DeleteGenerations deletes the numbered generations of profile (nix-env --delete-generations).
func (n Nix) DeleteGenerations(ctx context.Context, profile string, gens []string, timeout time.Duration) error {
	c := n.Cmd("nix-env", []string{"-p", profile, "--delete-generations"}, gens...)
	c.Timeout = timeout
	_, err := n.Run(ctx, c)
	return err
}

// CollectGarbage deletes every store path no GC root reaches (nix-store --gc); nix's summary
// ("N store paths deleted, X MiB freed") is on the result's stdout.
func (n Nix) CollectGarbage(ctx context.Context, timeout time.Duration) (command.Result, error) {
	c := n.Cmd("nix-store", []string{"--gc"})
	c.Timeout = timeout
	return n.Run(ctx, c)
}

// HashPath is the SRI sha256 of a path's NAR serialisation (nix hash path): what a flake lock
// records as a path input's narHash and a Go module's vendorHash.
func (n Nix) HashPath(ctx context.Context, path string, timeout time.Duration) (command.Result, error) {
	c := n.Cmd("nix", []string{"hash", "path"}, "--type", "sha256", "--sri", path)
	c.Timeout = timeout
	return n.Run(ctx, c)
}

// BuildExpr builds attribute attr of the Nix expression expr, a function of the string
// arguments args (nix-build --expr EXPR --argstr NAME VALUE), in n.Host's store and returns its
// output path. outLink is the GC root nix-build links to the result; empty: none
// (--no-out-link). For systems made from data rather than a flake: a local-fleet MicroVM guest's
// (internal/microvm), built on the guest's host so that it is in the store QEMU shares.
func (n Nix) BuildExpr(ctx context.Context, expr, attr string, args map[string]string, outLink string, timeout time.Duration) (string, error) {
	c := n.Cmd("nix-build", nil, "--expr", expr, "-A", attr)
	names := make([]string, 0, len(args))
	for k := range args {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		c.Args = append(c.Args, "--argstr", k, args[k])
	}
	if outLink != "" {
		c.Args = append(c.Args, "--out-link", outLink)
	} else {
		c.Args = append(c.Args, "--no-out-link")
	}
	c.Timeout = timeout
	res, err := n.Run(ctx, c)
	if err != nil {
		return "", fmt.Errorf("build %s: %w", attr, err)
	}
	if res.DryRun {
		return "/nix/store/<dry-run>-" + attr, nil
	}
	out := strings.TrimSpace(string(res.Stdout))
	if i := strings.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:]
	}
	if !strings.HasPrefix(out, "/nix/store/") {
		return "", fmt.Errorf("build %s: unexpected nix-build output %q", attr, res.Stdout)
	}
	return out, nil
}
