package features

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
)

// goodOptions reads the options of the good test registry with the repository's
// nix/option-declarations.nix; skipped (not passed) without nix-instantiate.
func goodOptions(t *testing.T) (*Registry, map[string][]Option) {
	t.Helper()
	r, err := Load(registryFile("good"))
	if err != nil {
		t.Fatal(err)
	}
	opts, err := ReadOptions(context.Background(), "../..", r)
	if errors.Is(err, ErrNoNix) {
		t.Skip("nix-instantiate not installed")
	}
	if err != nil {
		t.Fatal(err)
	}
	return r, opts
}

func TestReadOptions(t *testing.T) {
	_, opts := goodOptions(t)
	want := []Option{
		{"adminUser", "string", "config.hub.features.users.adminUser", "Who joins the docker group."},
		{"daemon.settings", "attribute set", `{ features = { buildkit = true; }; log-driver = "journald"; }`, "daemon.json."},
		{"mirrors", "attribute set of (submodule)", "{ }", "Registry mirrors by registry name."},
		// A submodule's options, under nixpkgs' documentation name (as docs/options.md has them).
		{"mirrors.<name>.url", "string", "(none)", "Where the mirror is."},
		{"package", "package", "(computed)", "Engine (computed from the configuration, no defaultText)."},
		{"pruneDates", "string", `"weekly"`, "When the engine prunes | images."},
		{"registries", "list of string", `[ "docker.io" "ghcr.io" ]`, "Registries searched."},
	}
	got := opts["docker"]
	if len(got) != len(want) {
		t.Fatalf("docker options = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("docker option %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if len(opts["podman"]) != 0 {
		t.Errorf("podman options = %+v, want none (its module declares none)", opts["podman"])
	}
}

func TestListOptionsAndCatalogue(t *testing.T) {
	r, opts := goodOptions(t)
	var b bytes.Buffer
	if err := r.WriteList(&b, opts); err != nil {
		t.Fatal(err)
	}
	golden(t, "list-options.txt", b.Bytes())
	info, err := r.Show("docker", nil)
	if err != nil {
		t.Fatal(err)
	}
	info.Options = opts["docker"]
	b.Reset()
	if err := WriteInfo(&b, info); err != nil {
		t.Fatal(err)
	}
	golden(t, "info-options.txt", b.Bytes())
	hosts := []Host{
		{Name: "box", Class: "server", Hardware: "nvidia-gpu", Features: []string{"docker"}},
		{Name: "pad", Class: "laptop", Hardware: "intel-integrated", Features: []string{"podman"}},
	}
	b.Reset()
	if err := r.WriteCatalogue(&b, opts, hosts); err != nil {
		t.Fatal(err)
	}
	golden(t, "catalogue.md", b.Bytes())
}

// TestCatalogueUpToDate: docs/feature-catalogue.md is what docs:features generates now.
func TestCatalogueUpToDate(t *testing.T) {
	if !NixAvailable() {
		t.Skip("nix-instantiate not installed")
	}
	want, err := RenderCatalogue(context.Background(), "../..")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(CataloguePath("../.."))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date: run `go tool mage docs:features`", CataloguePath("../.."))
	}
}
