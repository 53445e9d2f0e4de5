// Package hostdiff says how two hosts differ (the old diff-hosts): at option level, from both
// evaluated configurations (the hub's hub.features.* options, and the NixOS options that shape a
// host: kernel, boot loader, file systems, enabled services and units, packages, users,
// firewall, nix settings, plus any paths asked for), and at feature level, from the registry
// and host.toml, which needs no evaluation. The option level needs the flake's inputs
// (nixpkgs); where they are missing the caller shows the feature level alone.
//
// Entry points: [Diff] compares two hosts at both levels (the feature level always), and [Write]
// prints the [Result].
package hostdiff

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/nixos-hub/hub/internal/features"
	"github.com/nixos-hub/hub/internal/nix"
)

// defaultPaths are the option paths compared besides the computed ones (enabled services,
// units, packages, users): what tells two NixOS hosts apart.
var defaultPaths = []string{
	"hub.features",
	"networking.hostName",
	"networking.firewall.allowedTCPPorts",
	"networking.firewall.allowedUDPPorts",
	"networking.firewall.interfaces",
	"boot.kernelPackages.kernel.version",
	"boot.loader.systemd-boot.enable",
	"boot.loader.grub.enable",
	"boot.initrd.availableKernelModules",
	"boot.kernelModules",
	"fileSystems",
	"swapDevices",
	"hardware.cpu.amd.updateMicrocode",
	"hardware.cpu.intel.updateMicrocode",
	"nix.settings.substituters",
	"system.stateVersion",
	"system.nixos.version",
	"time.timeZone",
	"localfleet.variant",
}

// applyExpr builds the nix eval --apply function: for each of the two hosts, every path's value
// made JSON-safe (functions and errors named, derivations by name, depth-limited), and the
// computed lists.
func applyExpr(h1, h2 string, paths []string) string {
	var ps []string
	for _, p := range paths {
		ps = append(ps, strconv.Quote(p))
	}
	return `cs: let
  safe = d: v: let r = builtins.tryEval v; in
    if !r.success then "<error>" else let x = r.value; in
    if builtins.isFunction x then "<function>"
    else if builtins.isAttrs x then
      (if (x.type or null) == "derivation" then "<package " + (x.name or "?") + ">"
       else if d == 0 then "<attrs>" else builtins.mapAttrs (_: safe (d - 1)) x)
    else if builtins.isList x then (if d == 0 then "<list>" else map (safe (d - 1)) x)
    else if builtins.isPath x then toString x
    else x;
  split = p: builtins.filter builtins.isString (builtins.split "\\." p);
  get = c: p: builtins.foldl' (a: k: if a != null && builtins.isAttrs a && a ? ${k} then a.${k} else null) c (split p);
  enabled = set: builtins.filter (n: let r = builtins.tryEval ((set.${n}.enable or false) == true); in r.success && r.value) (builtins.attrNames set);
  names = l: map (p: let r = builtins.tryEval (p.name or "?"); in if r.success then r.value else "<error>") l;
  listOr = v: let r = builtins.tryEval v; in if r.success && builtins.isList r.value then r.value else [ ];
  setOr = v: let r = builtins.tryEval v; in if r.success && builtins.isAttrs r.value then r.value else { };
  pick = c: let cfg = c.config; in
    builtins.listToAttrs (map (p: { name = p; value = safe 6 (get cfg p); }) [ ` + strings.Join(ps, " ") + ` ])
    // {
      "services (enabled)" = enabled (setOr (cfg.services or { }));
      "programs (enabled)" = enabled (setOr (cfg.programs or { }));
      "systemd.services (enabled)" = enabled (setOr (cfg.systemd.services or { }));
      "environment.systemPackages" = names (listOr (cfg.environment.systemPackages or [ ]));
      "users.users (normal)" = builtins.filter (n: (setOr (cfg.users.users or { })).${n}.isNormalUser or false) (builtins.attrNames (setOr (cfg.users.users or { })));
    };
in { a = pick cs.` + strconv.Quote(h1) + `; b = pick cs.` + strconv.Quote(h2) + `; }`
}

// Difference is one option path whose values differ.
type Difference struct {
	Path   string   `json:"path"`
	A      string   `json:"a,omitempty"`     // the value on the first host ("" when unset)
	B      string   `json:"b,omitempty"`     // on the second
	OnlyA  []string `json:"onlyA,omitempty"` // for lists: items only the first host has
	OnlyB  []string `json:"onlyB,omitempty"` // items only the second has
	IsList bool     `json:"-"`
}

// options evaluates both hosts' options in one nix eval of flake with n (nix on this machine
// with the fleet's settings) and returns the differences, sorted by path.
func options(ctx context.Context, n nix.Nix, flake, h1, h2 string, extra []string) ([]Difference, error) {
	paths := append(slices.Clone(defaultPaths), extra...)
	res, err := n.Run(ctx, n.Cmd("nix", []string{"eval"}, "--json", "--no-write-lock-file", flake+"#nixosConfigurations", "--apply", applyExpr(h1, h2, paths)))
	if err != nil {
		return nil, fmt.Errorf("evaluate %s and %s: %w", h1, h2, err)
	}
	if res.DryRun {
		return nil, nil
	}
	var v struct{ A, B map[string]any }
	if err := json.Unmarshal(res.Stdout, &v); err != nil {
		return nil, fmt.Errorf("evaluate %s and %s: unexpected nix eval output: %w", h1, h2, err)
	}
	return diff(v.A, v.B), nil
}

// diff flattens both trees to leaf paths and compares them; lists of scalars compare as sets.
func diff(a, b map[string]any) []Difference {
	fa, fb := map[string]any{}, map[string]any{}
	for k, x := range a {
		flatten(k, x, fa)
	}
	for k, x := range b {
		flatten(k, x, fb)
	}
	keys := map[string]bool{}
	for k := range fa {
		keys[k] = true
	}
	for k := range fb {
		keys[k] = true
	}
	var out []Difference
	for k := range keys {
		x, xok := fa[k]
		y, yok := fb[k]
		if xok && yok && equal(x, y) {
			continue
		}
		if la, lb, ok := scalarLists(x, y); ok {
			d := Difference{Path: k, IsList: true}
			for _, s := range la {
				if !slices.Contains(lb, s) {
					d.OnlyA = append(d.OnlyA, s)
				}
			}
			for _, s := range lb {
				if !slices.Contains(la, s) {
					d.OnlyB = append(d.OnlyB, s)
				}
			}
			if len(d.OnlyA)+len(d.OnlyB) > 0 {
				out = append(out, d)
			}
			continue
		}
		out = append(out, Difference{Path: k, A: show(x, xok), B: show(y, yok)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// flatten puts the leaves of v under prefix into out; attribute sets are walked, lists and
// scalars are leaves. A null (an unset path) is dropped.
func flatten(prefix string, v any, out map[string]any) {
	switch x := v.(type) {
	case nil:
	case map[string]any:
		if len(x) == 0 {
			out[prefix] = x
		}
		for k, y := range x {
			flatten(prefix+"."+quoteKey(k), y, out)
		}
	default:
		out[prefix] = x
	}
}

func quoteKey(k string) string {
	for _, r := range k {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return strconv.Quote(k)
		}
	}
	return k
}

func equal(x, y any) bool {
	a, _ := json.Marshal(x)
	b, _ := json.Marshal(y)
	return string(a) == string(b)
}

// scalarLists returns both as string lists when each is a list of scalars (or missing).
func scalarLists(x, y any) ([]string, []string, bool) {
	conv := func(v any) ([]string, bool) {
		if v == nil {
			return nil, true
		}
		l, ok := v.([]any)
		if !ok {
			return nil, false
		}
		var out []string
		for _, e := range l {
			switch e.(type) {
			case map[string]any, []any:
				return nil, false
			}
			if str, ok := e.(string); ok {
				out = append(out, str)
			} else {
				out = append(out, show(e, true))
			}
		}
		return out, true
	}
	la, ok1 := conv(x)
	lb, ok2 := conv(y)
	if !ok1 || !ok2 || x == nil && y == nil {
		return nil, nil, false
	}
	_, xl := x.([]any)
	_, yl := y.([]any)
	return la, lb, xl || yl
}

func show(v any, ok bool) string {
	if !ok {
		return "(unset)"
	}
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// FeatureDiff is the feature-level difference of two hosts.
type FeatureDiff struct {
	OnlyA  []string     `json:"onlyA,omitempty"` // features only the first host enables, with the reason each is on
	OnlyB  []string     `json:"onlyB,omitempty"`
	Fields []Difference `json:"fields,omitempty"` // class, hardware
}

// diffFeatures compares the two hosts' resolved feature sets and host.toml fields.
func diffFeatures(reg *features.Registry, a, b features.Host) FeatureDiff {
	ra, rb := reg.Resolve(a), reg.Resolve(b)
	var d FeatureDiff
	for _, f := range ra.Enabled {
		if !slices.Contains(rb.Enabled, f) {
			d.OnlyA = append(d.OnlyA, f+" ("+strings.Join(ra.Reasons[f], "; ")+")")
		}
	}
	for _, f := range rb.Enabled {
		if !slices.Contains(ra.Enabled, f) {
			d.OnlyB = append(d.OnlyB, f+" ("+strings.Join(rb.Reasons[f], "; ")+")")
		}
	}
	if a.Class != b.Class {
		d.Fields = append(d.Fields, Difference{Path: "class", A: a.Class, B: b.Class})
	}
	if a.Hardware != b.Hardware {
		d.Fields = append(d.Fields, Difference{Path: "hardware", A: a.Hardware, B: b.Hardware})
	}
	return d
}

// Write prints the feature level, then the option level (or why it is missing).
func Write(w io.Writer, a, b string, fd FeatureDiff, opts []Difference, optErr string) {
	fmt.Fprintf(w, "features (host.toml and the registry):\n")
	for _, f := range fd.Fields {
		fmt.Fprintf(w, "  %s: %s %s, %s %s\n", f.Path, a, f.A, b, f.B)
	}
	for _, f := range fd.OnlyA {
		fmt.Fprintf(w, "  only %s: %s\n", a, f)
	}
	for _, f := range fd.OnlyB {
		fmt.Fprintf(w, "  only %s: %s\n", b, f)
	}
	if len(fd.Fields)+len(fd.OnlyA)+len(fd.OnlyB) == 0 {
		fmt.Fprintf(w, "  the same feature set\n")
	}
	fmt.Fprintf(w, "\noptions (evaluated configurations):\n")
	if optErr != "" {
		fmt.Fprintf(w, "  SKIPPED: %s\n", optErr)
		return
	}
	if len(opts) == 0 {
		fmt.Fprintf(w, "  no differences in the options compared\n")
	}
	for _, d := range opts {
		if d.IsList {
			fmt.Fprintf(w, "  %s\n", d.Path)
			if len(d.OnlyA) > 0 {
				fmt.Fprintf(w, "    only %s: %s\n", a, strings.Join(d.OnlyA, " "))
			}
			if len(d.OnlyB) > 0 {
				fmt.Fprintf(w, "    only %s: %s\n", b, strings.Join(d.OnlyB, " "))
			}
			continue
		}
		fmt.Fprintf(w, "  %s\n    %s: %s\n    %s: %s\n", d.Path, a, d.A, b, d.B)
	}
}

// Result is hosts:diff's answer: the feature-level difference always, the option-level one when
// both configurations could be evaluated (OptionsSkipped says why not otherwise).
type Result struct {
	A              string       `json:"a"`
	B              string       `json:"b"`
	Features       FeatureDiff  `json:"features"`
	Options        []Difference `json:"options"`
	OptionsSkipped string       `json:"optionsSkipped"`
}

// DiffOptions say what Diff compares and how it reaches the flake's inputs.
type DiffOptions struct {
	Flake string
	A, B  string
	Paths []string // option paths besides defaultPaths
	// Probe checks first that the flake's inputs can be fetched (within ProbeTimeout), and
	// skips the option level with the reason when they cannot; nil evaluates straight away
	// (the local fleet's builtins-only flake has no inputs).
	Probe func(ctx context.Context) (skipped string, err error)
}

// Diff compares hosts A and B (both in hosts) at feature level, and at option level unless the
// probe says the configurations cannot be evaluated here.
func Diff(ctx context.Context, n nix.Nix, reg *features.Registry, hosts []features.Host, o DiffOptions) (*Result, error) {
	if o.A == o.B {
		return nil, fmt.Errorf("hosts:diff: give two different hosts (both are %s)", o.A)
	}
	var fa, fb *features.Host
	for i := range hosts {
		switch hosts[i].Name {
		case o.A:
			fa = &hosts[i]
		case o.B:
			fb = &hosts[i]
		}
	}
	if fa == nil || fb == nil {
		return nil, fmt.Errorf("hosts:diff: %s and %s must both be in the repository's hosts", o.A, o.B)
	}
	res := &Result{A: o.A, B: o.B, Features: diffFeatures(reg, *fa, *fb)}
	if o.Probe != nil {
		skipped, err := o.Probe(ctx)
		if err != nil {
			return nil, err
		}
		res.OptionsSkipped = skipped
	}
	if res.OptionsSkipped == "" {
		opts, err := options(ctx, n, o.Flake, o.A, o.B, o.Paths)
		if err != nil {
			return nil, err
		}
		res.Options = opts
	}
	return res, nil
}
