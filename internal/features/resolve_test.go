package features

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

const repoRoot = "../.."

var resolveCases = []struct {
	name string
	host Host
	want Resolution
}{
	{
		name: "defaults, hardware, listed and required",
		host: Host{Name: "ws", Class: "workstation", Hardware: "amd-gpu", Features: []string{"k3d", "prompt", "shell"}},
		want: Resolution{
			Enabled: []string{"amd-gpu", "base", "docker", "k3d", "prompt", "shell"},
			Reasons: map[string][]string{
				"amd-gpu": {ReasonHardware},
				"base":    {ReasonDefault},
				"docker":  {"required by k3d"},
				"k3d":     {ReasonListed},
				"prompt":  {ReasonListed},
				"shell":   {ReasonListed, "required by prompt"},
			},
			Errors: []string{},
		},
	},
	{
		name: "unknown feature and unknown hardware",
		host: Host{Name: "bad", Class: "server", Hardware: "voodoo", Features: []string{"ghost", "shell"}},
		want: Resolution{
			Enabled: []string{"base", "shell"},
			Reasons: map[string][]string{"base": {ReasonDefault}, "shell": {ReasonListed}},
			Errors: []string{
				`host "bad": unknown feature "ghost" in host.toml`,
				`host "bad": hardware "voodoo" is not a hardware feature in modules/features.toml`,
			},
		},
	},
	{
		name: "conflict through a requirement",
		host: Host{Name: "clash", Class: "workstation", Hardware: "intel-integrated", Features: []string{"k3d", "podman"}},
		want: Resolution{
			Enabled: []string{"base", "docker", "intel-integrated", "k3d", "podman"},
			Reasons: map[string][]string{
				"base": {ReasonDefault}, "docker": {"required by k3d"}, "intel-integrated": {ReasonHardware},
				"k3d": {ReasonListed}, "podman": {ReasonListed},
			},
			Errors: []string{`host "clash": feature "docker" conflicts with feature "podman"`},
		},
	},
	{
		name: "class mismatch, also for a required feature",
		host: Host{Name: "lappy", Class: "laptop", Hardware: "nvidia-gpu", Features: []string{"plex"}},
		want: Resolution{
			Enabled: []string{"base", "media-base", "nvidia-gpu", "plex", "shell"},
			Reasons: map[string][]string{
				"base": {ReasonDefault}, "media-base": {"required by plex"}, "nvidia-gpu": {ReasonHardware},
				"plex": {ReasonListed}, "shell": {"required by plex"},
			},
			Errors: []string{
				`host "lappy": feature "media-base" does not suit class "laptop" (suits: server)`,
				`host "lappy": feature "plex" does not suit class "laptop" (suits: server)`,
			},
		},
	},
	{
		name: "a default yields to a listed feature that conflicts with it",
		host: Host{Name: "lean", Class: "server", Hardware: "intel-integrated", Features: []string{"bare"}},
		want: Resolution{
			Enabled: []string{"bare", "intel-integrated"},
			Reasons: map[string][]string{"bare": {ReasonListed}, "intel-integrated": {ReasonHardware}},
			Errors:  []string{},
		},
	},
	{
		name: "a yielded default that is still required is a conflict",
		host: Host{Name: "torn", Class: "server", Hardware: "intel-integrated", Features: []string{"bare", "base-tools"}},
		want: Resolution{
			Enabled: []string{"bare", "base", "base-tools", "intel-integrated"},
			Reasons: map[string][]string{
				"bare": {ReasonListed}, "base": {"required by base-tools"}, "base-tools": {ReasonListed},
				"intel-integrated": {ReasonHardware},
			},
			Errors: []string{`host "torn": feature "bare" conflicts with feature "base"`},
		},
	},
	{
		name: "hardware that is a feature of another category",
		host: Host{Name: "odd", Class: "server", Hardware: "shell"},
		want: Resolution{
			Enabled: []string{"base"},
			Reasons: map[string][]string{"base": {ReasonDefault}},
			Errors:  []string{`host "odd": hardware "shell" is not a hardware feature in modules/features.toml`},
		},
	},
}

func TestResolve(t *testing.T) {
	r, err := Load(registryFile("good"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range resolveCases {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Resolve(tt.host)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Resolve =\n  %+v\nwant\n  %+v", got, tt.want)
			}
		})
	}
}

// writeHostTOML writes the fields nix/features.nix reads, so Nix sees the same host as Go.
func writeHostTOML(t *testing.T, h Host) string {
	t.Helper()
	q := make([]string, len(h.Features))
	for i, f := range h.Features {
		q[i] = strconv.Quote(f)
	}
	p := filepath.Join(t.TempDir(), "host.toml")
	content := fmt.Sprintf("class = %q\nhardware = %q\nfeatures = [%s]\n", h.Class, h.Hardware, strings.Join(q, ", "))
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func requireNix(t *testing.T) {
	t.Helper()
	if !NixAvailable() {
		t.Skip("nix-instantiate not on PATH: cannot compare with nix/features.nix")
	}
}

// The pure-Nix resolution must give the same enabled set, reasons and error messages as Go,
// including for broken hosts.
func TestResolveMatchesNix(t *testing.T) {
	requireNix(t)
	r, err := Load(registryFile("good"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range resolveCases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NixResolve(context.Background(), repoRoot, r.File, writeHostTOML(t, tt.host), tt.host.Name)
			if err != nil {
				t.Fatal(err)
			}
			if d := Diff(r.Resolve(tt.host), got); d != "" {
				t.Error(d)
			}
		})
	}
}

func TestResolveJSONShape(t *testing.T) {
	r, err := Load(registryFile("good"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r.Resolve(Host{Name: "s", Class: "server", Hardware: "amd-gpu"}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"enabled":["amd-gpu","base"],"reasons":{"amd-gpu":["hardware profile of the host"],"base":["default for every host"]},"errors":[]}`
	if string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
}

func TestResolveDiff(t *testing.T) {
	a := Resolution{Enabled: []string{"x"}, Reasons: map[string][]string{"x": {ReasonListed}}, Errors: []string{}}
	b := Resolution{Enabled: []string{"x", "y"}, Reasons: map[string][]string{"x": {ReasonDefault}}, Errors: []string{"e"}}
	want := `enabled: go [x], nix [x y]; reasons of x: go ["listed in host.toml"], nix ["default for every host"]; errors: go [], nix ["e"]`
	if got := Diff(a, b); got != want {
		t.Errorf("Diff = %s\nwant %s", got, want)
	}
	if got := Diff(a, a); got != "" {
		t.Errorf("Diff of equal resolutions = %q", got)
	}
}
