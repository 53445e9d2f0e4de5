package nixoptions

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/goldenfile"
)

func TestPaths(t *testing.T) {
	tests := []struct {
		in   string
		segs []string
	}{
		{"services.openssh.enable", []string{"services", "openssh", "enable"}},
		{`boot.kernel.sysctl."kernel.kptr_restrict"`, []string{"boot", "kernel", "sysctl", "kernel.kptr_restrict"}},
		{"users.users.<name>.openssh.authorizedKeys.keys", []string{"users", "users", "<name>", "openssh", "authorizedKeys", "keys"}},
		{`environment.etc."hub/flake.lock".source`, []string{"environment", "etc", "hub/flake.lock", "source"}},
	}
	for _, tt := range tests {
		segs, err := ParsePath(tt.in)
		if err != nil || !slices.Equal(segs, tt.segs) {
			t.Errorf("ParsePath(%q) = %q, %v; want %q", tt.in, segs, err, tt.segs)
		}
		if got := FormatPath(tt.segs); got != tt.in {
			t.Errorf("FormatPath(%q) = %q, want %q", tt.segs, got, tt.in)
		}
	}
	for _, bad := range []string{"", "a..b", `a."b`, "a."} {
		if _, err := ParsePath(bad); err == nil {
			t.Errorf("ParsePath(%q) succeeded", bad)
		}
	}
}

// The recorded manifest loads, is in the writer's canonical form, and holds every option of the
// agenix and lanzaboote modules the hosts import.
func TestRecordedManifest(t *testing.T) {
	path := filepath.Join(repoRoot, ManifestFile)
	m := repoManifest(t)
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, []byte(readFile(t, path))) {
		t.Errorf("%s is not in canonical form (sorted, indented as WriteManifest writes it): rewrite it with WriteManifest", ManifestFile)
	}
	if len(m.Sources) != 4 || m.Sources[0].Name != "nixpkgs" || m.Sources[0].Ref != "release-25.11" || m.Sources[0].Date == "" {
		t.Errorf("sources %+v: want nixpkgs release-25.11 first, dated", m.Sources)
	}
	for _, p := range []string{"age.identityPaths", "age.secrets.<name>.file", "boot.lanzaboote.pkiBundle", "boot.lanzaboote.enable",
		"services.resolved.dnssec", "services.resolved.fallbackDns", "image.fileName", "microvm.vms.<name>.config"} {
		if _, ok := m.Options[p]; !ok {
			t.Errorf("manifest lacks %s", p)
		}
	}
	if _, ok := m.Options["services.resolved.settings"]; ok {
		t.Error("services.resolved.settings is a 26.05 option (nixpkgs PR 416720), not 25.11's")
	}
}

func TestLoadManifestRejects(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"unknown field", `{"comment":"","release":"","sources":[],"options":{},"extra":1}`, "unknown field"},
		{"bad type", `{"comment":"","release":"","sources":[],"options":{"a.b":{"type":"frob","declared":"x.nix"}}}`, "unknown type phrase"},
		{"no file", `{"comment":"","release":"","sources":[],"options":{"a.b":{"type":"boolean","declared":""}}}`, "no declaring file"},
		{"unknown source", `{"comment":"","release":"","sources":[],"options":{"a.b":{"type":"boolean","declared":"x","source":"y"}}}`, "source \"y\""},
		{"dangling rename", `{"comment":"","release":"","sources":[],"options":{"a.b":{"type":"boolean","declared":"x","renamedTo":"a.c"}}}`, "renamed to a.c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "m.json")
			writeFile(t, p, tt.json)
			if _, err := LoadManifest(p); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

// WriteManifest's output is deterministic (golden) and replaces the file atomically, leaving no
// temporary file behind.
func TestWriteManifest(t *testing.T) {
	m := &Manifest{
		Comment: "A record.",
		Release: "nixos-25.11",
		Sources: []Source{
			{Name: "nixpkgs", Repo: "NixOS/nixpkgs", Ref: "release-25.11", Commit: "0123abcd", Date: "2026-01-02", Method: "nix eval"},
			{Name: "lanzaboote", Repo: "nix-community/lanzaboote", Ref: "v0.4.3", Date: "2026-01-02", Method: "git show"},
		},
		Options: map[string]Option{
			"users.users.<name>.extraGroups": {Type: "list of string", Declared: "nixos/modules/config/users-groups.nix"},
			"services.resolved.dnssec":       {Type: `one of "true", "allow-downgrade", "false"`, Declared: "nixos/modules/system/boot/resolved.nix"},
			`boot.kernel.sysctl."kernel.x"`:  {Type: "sysctl option value", Declared: "nixos/modules/config/sysctl.nix"},
			"isoImage.isoName":               {Type: "string", Declared: "nixos/modules/installer/cd-dvd/iso-image.nix", RenamedTo: "image.fileName", Note: "alias since 25.05"},
			"image.fileName":                 {Type: "string", Declared: "nixos/modules/image/file-options.nix"},
			"boot.lanzaboote.pkiBundle":      {Type: "null or path", Declared: "nix/modules/lanzaboote.nix", Source: "lanzaboote"},
		},
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "options.json")
	writeFile(t, p, "old\n")
	for range 2 {
		if err := WriteManifest(p, m); err != nil {
			t.Fatal(err)
		}
	}
	got := readFile(t, p)
	goldenfile.Check(t, filepath.Join("testdata", "golden", "manifest.json"), []byte(got))
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d files after the write, want only the manifest", len(entries))
	}
	back, err := LoadManifest(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Options) != len(m.Options) {
		t.Errorf("read back %d options, want %d", len(back.Options), len(m.Options))
	}
}
