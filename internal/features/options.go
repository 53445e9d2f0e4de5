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

// rawOption is nix/feature-options.nix's output for one option.
type rawOption struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description"`
	Default     struct {
		JSON     *string `json:"json"`
		Text     *string `json:"text"`
		None     bool    `json:"none"`
		Computed bool    `json:"computed"`
	} `json:"default"`
}

// ReadOptions evaluates root's nix/feature-options.nix for the registry's modules (offline: no
// nixpkgs, see that file) and returns every feature's options by feature name, sorted by name.
func ReadOptions(ctx context.Context, root string, r *Registry) (map[string][]Option, error) {
	if !NixAvailable() {
		return nil, ErrNoNix
	}
	expr, err := filepath.Abs(filepath.Join(root, "nix", "feature-options.nix"))
	if err != nil {
		return nil, err
	}
	reg, err := filepath.Abs(r.File)
	if err != nil {
		return nil, err
	}
	args := append(nix.EvalArgs(), "--eval", "--strict", "--json", expr, "--argstr", "registryFile", reg)
	cmd := exec.CommandContext(ctx, "nix-instantiate", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("feature options of %s (nix/feature-options.nix): %w: %s", r.File, err, strings.TrimSpace(stderr.String()))
	}
	var raw map[string][]rawOption
	if err := json.Unmarshal(stdout.Bytes(), &raw); err != nil {
		return nil, fmt.Errorf("feature options of %s: decoding nix/feature-options.nix's JSON: %w", r.File, err)
	}
	out := make(map[string][]Option, len(raw))
	for name, opts := range raw {
		for _, o := range opts {
			def, err := o.defaultText()
			if err != nil {
				return nil, fmt.Errorf("feature %q option %s: %w", name, o.Name, err)
			}
			out[name] = append(out[name], Option{Name: o.Name, Type: o.Type, Default: def, Description: oneLine(o.Description)})
		}
		sort.Slice(out[name], func(i, j int) bool { return out[name][i].Name < out[name][j].Name })
	}
	return out, nil
}

func (o rawOption) defaultText() (string, error) {
	switch d := o.Default; {
	case d.Text != nil:
		return oneLine(*d.Text), nil
	case d.JSON != nil:
		dec := json.NewDecoder(strings.NewReader(*d.JSON))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return "", fmt.Errorf("default %q: %w", *d.JSON, err)
		}
		return nixText(v), nil
	case d.Computed:
		return "(computed)", nil
	default:
		return "(none)", nil
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
