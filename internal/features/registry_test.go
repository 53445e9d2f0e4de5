package features

import (
	"path/filepath"
	"slices"
	"testing"
)

func registryFile(name string) string {
	return filepath.Join("testdata", "registries", name, "features.toml")
}

func TestRegistryLoadErrors(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"unknown-key", "feature registry testdata/registries/unknown-key/features.toml: unknown key features.a.require"},
		{"syntax", `feature registry testdata/registries/syntax/features.toml: toml: line 2 (last key "features.a.category"): strings cannot contain newlines`},
		{"empty", "feature registry testdata/registries/empty/features.toml: no [features.<name>] tables"},
		{"missing", "feature registry: open testdata/registries/missing/features.toml: no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(registryFile(tt.name))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Load error = %v, want %q", err, tt.want)
			}
		})
	}
}

// Each bad registry in testdata exercises one class of graph or file error.
func TestRegistryCheck(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"good", nil},
		{"unknown-ref", []string{
			`feature "a" requires unknown feature "ghost"`,
			`feature "b" conflicts with unknown feature "phantom"`,
		}},
		{"cycle", []string{
			`feature "d" requires itself`,
			`feature "d" conflicts with itself`,
			`requires cycle: a -> b -> c -> a`,
		}},
		{"conflict-required", []string{
			`feature "a" can never be enabled: it requires "b", which conflicts with it`,
			`feature "c" can never be enabled: its requirements "d" and "e" conflict`,
		}},
		{"modules", []string{
			`module "shared.nix" is used by features "a" and "b"`,
			`feature "c": module "missing.nix" does not exist`,
			`feature "d": module "../outside.nix" is outside testdata/registries/modules`,
			`feature "e": module "e.toml" is not a .nix file`,
			`module "stray/forgotten.nix" is not in the registry`,
		}},
		{"fields", []string{
			`feature "Bad_Name": invalid name (want [a-z0-9][a-z0-9-]*)`,
			`feature "b": unknown category "gaming" (want one of core, hardware, desktop, networking, security, development, shell, programs, cloud, fonts, virtualization, media, monitoring, backup, ai)`,
			`feature "b": description is empty`,
			`feature "c": classes is empty (list the host classes it suits)`,
			`feature "d": unknown class "desktop" (want one of workstation, server, laptop)`,
			`feature "e": cost_mb without cost_source (say where the number comes from)`,
			`feature "f": cost_source without cost_mb`,
			`feature "g": cost_mb -1 is negative`,
		}},
		{"hardware", []string{
			`hardware profile "amd-gpu" must be a feature of category "hardware" (host.toml's hardware field enables it)`,
			`hardware profile "intel-integrated" must be a feature of category "hardware" (host.toml's hardware field enables it)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Load(registryFile(tt.name))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range r.Check() {
				got = append(got, e.Error())
			}
			var want []string
			for _, w := range tt.want {
				want = append(want, registryFile(tt.name)+": "+w)
			}
			if !slices.Equal(got, want) {
				t.Errorf("Check() =\n  %q\nwant\n  %q", got, want)
			}
		})
	}
}

// The repository's own registry must pass every check: it is what the flake imports.
func TestRegistryRepository(t *testing.T) {
	r, err := Load(RegistryPath(filepath.Join("..", "..")))
	if err != nil {
		t.Fatal(err)
	}
	if err := Err(r.Check()); err != nil {
		t.Fatalf("modules/features.toml:\n%v", err)
	}
	for _, hw := range HardwareProfiles() {
		if r.Features[hw] == nil || r.Features[hw].Category != "hardware" {
			t.Errorf("hardware profile %s missing from the registry", hw)
		}
	}
}

func TestRegistryQueries(t *testing.T) {
	r, err := Load(registryFile("good"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"closure of k3d", r.Closure("k3d"), []string{"docker", "k3d"}},
		{"closure of plex", r.Closure("plex"), []string{"media-base", "plex", "shell"}},
		{"required by shell", r.RequiredBy("shell"), []string{"plex", "prompt"}},
		{"conflicts of podman (declared on docker)", r.ConflictsOf("podman"), []string{"docker"}},
		{"conflicts of amd-gpu (declared on nvidia-gpu)", r.ConflictsOf("amd-gpu"), []string{"nvidia-gpu"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !slices.Equal(tt.got, tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
	if _, err := r.Feature("ghost"); err == nil || err.Error() != `feature "ghost" is not in testdata/registries/good/features.toml` {
		t.Errorf("Feature(ghost) error = %v", err)
	}
}
