package features

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/nixos-hub/hub/internal/nix"
)

// Option is one option a feature module declares under hub.features.<name>, besides enable.
type Option struct {
	Name        string `json:"name"`
	Type        string `json:"type"`        // nixpkgs' type description, e.g. "list of string"
	Default     string `json:"default"`     // Nix text: the value, its defaultText, "(computed)" or "(none)"
	Description string `json:"description"` // one line
}

// ErrNoNix is returned by ReadOptions where nix-instantiate is not installed: the options are
// read by evaluating the modules, which takes Nix (callers say the listing was skipped).
var ErrNoNix = errors.New("nix-instantiate is not installed")

// declaration is one entry of nix/option-declarations.nix's declarations (the reader the
// offline option check uses too; internal/nixoptions decodes the same entries).
type declaration struct {
	Feature     *string `json:"feature"` // hub.features.<feature>.<name>; null for other options
	Name        string  `json:"name"`
	Type        string  `json:"type"`
	Description string  `json:"description"`
	// Default is null without a default, else its defaultText or its value as JSON (computed
	// when some part of it has no value offline: a function, a package, a read of config).
	Default *struct {
		Text     *string         `json:"text"`
		Value    json.RawMessage `json:"value"`
		Computed bool            `json:"computed"`
	} `json:"default"`
}

// ReadOptions evaluates root's nix/option-declarations.nix for the registry's modules (offline:
// no nixpkgs, see that file) and returns every feature's options by feature name, sorted by
// name. Options of submodules are listed, as docs/options.md lists them, under nixpkgs'
// documentation names (fleetPeers.*.endpoint, providers.<name>.url).
func ReadOptions(ctx context.Context, root string, r *Registry) (map[string][]Option, error) {
	if !NixAvailable() {
		return nil, ErrNoNix
	}
	expr, err := filepath.Abs(filepath.Join(root, "nix", "option-declarations.nix"))
	if err != nil {
		return nil, err
	}
	reg, err := filepath.Abs(r.File)
	if err != nil {
		return nil, err
	}
	args := append(nix.EvalArgs(), "--eval", "--strict", "--json", expr, "-A", "declarations", "--argstr", "registryFile", reg)
	cmd := exec.CommandContext(ctx, "nix-instantiate", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("feature options of %s (nix/option-declarations.nix): %w: %s", r.File, err, strings.TrimSpace(stderr.String()))
	}
	var decls []declaration
	if err := json.Unmarshal(stdout.Bytes(), &decls); err != nil {
		return nil, fmt.Errorf("feature options of %s: decoding nix/option-declarations.nix's JSON: %w", r.File, err)
	}
	out := map[string][]Option{}
	for _, d := range decls {
		// enable is nix/features-module.nix's, described by the registry.
		if d.Feature == nil || d.Name == "enable" {
			continue
		}
		name := *d.Feature
		def, err := d.defaultText()
		if err != nil {
			return nil, fmt.Errorf("feature %q option %s: %w", name, d.Name, err)
		}
		out[name] = append(out[name], Option{Name: d.Name, Type: d.Type, Default: def, Description: oneLine(d.Description)})
	}
	for name := range out {
		sort.Slice(out[name], func(i, j int) bool { return out[name][i].Name < out[name][j].Name })
	}
	return out, nil
}

func (d declaration) defaultText() (string, error) {
	switch def := d.Default; {
	case def == nil:
		return "(none)", nil
	case def.Text != nil:
		return oneLine(*def.Text), nil
	case def.Computed:
		return "(computed)", nil
	default:
		dec := json.NewDecoder(bytes.NewReader(def.Value))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return "", fmt.Errorf("default %s: %w", def.Value, err)
		}
		return nixText(v), nil
	}
}

// nixText writes a JSON value the way it reads in Nix: [ "a" "b" ], { k = 1; }.
func nixText(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return v.String()
	case string:
		return strconv.Quote(v)
	case []any:
		if len(v) == 0 {
			return "[ ]"
		}
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = nixText(e)
		}
		return "[ " + strings.Join(parts, " ") + " ]"
	case map[string]any:
		if len(v) == 0 {
			return "{ }"
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		b.WriteString("{ ")
		for _, k := range keys {
			name := k
			if !nixIdent(k) {
				name = strconv.Quote(k)
			}
			fmt.Fprintf(&b, "%s = %s; ", name, nixText(v[k]))
		}
		b.WriteString("}")
		return b.String()
	}
	return fmt.Sprint(v)
}

func nixIdent(s string) bool {
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '\'')) {
			return false
		}
	}
	return s != ""
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
