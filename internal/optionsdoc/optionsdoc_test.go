package optionsdoc

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/nixoptions"
)

func TestWrite(t *testing.T) {
	decls := []nixoptions.Declared{
		{Path: []string{"hub", "features", "static-dns", "nameservers"}, Pos: nixoptions.Pos{File: "modules/networking/static-dns.nix", Line: 12, Column: 5},
			Type: "list of string", Default: `["1.1.1.1","9.9.9.9"]`, Description: "Resolvers written to\n  /etc/resolv.conf."},
		{Path: []string{"hub", "features", "static-dns", "enable"}, Pos: nixoptions.Pos{File: "nix/features-module.nix", Line: 37}, Type: "boolean", Default: "false",
			Description: "A fixed /etc/resolv.conf"},
		{Path: []string{"hub", "host", "name"}, Pos: nixoptions.Pos{File: "nix/features-module.nix", Line: 46}, Type: "string", Description: "Name of the host."},
		{Path: []string{"hub", "resolution"}, Pos: nixoptions.Pos{File: "nix/features-module.nix", Line: 72}, Type: "attribute set", Default: "import ./features.nix { ... }"},
		{Path: []string{"hub", "features", "ai-providers", "providers", "<name>", "baseUrl"}, Pos: nixoptions.Pos{File: "modules/ai/providers.nix"},
			Type: "null or string", Default: "null", Description: "Endpoint, `null` for the provider's own."},
		{Path: []string{"services", "hub-media-exporter", "package"}, Pos: nixoptions.Pos{File: "modules/lib/exporter-options.nix", Line: 9}, Type: "package", Default: "<package>"},
		{Path: []string{"hub", "backup", "command"}, Pos: nixoptions.Pos{File: "x.nix", Line: 1}, Type: "string", Default: "`restic` backup"},
	}
	var out bytes.Buffer
	if err := Write(&out, decls); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, filepath.Join("testdata", "options.md"), out.Bytes())
}

// docs/options.md is what the declarations say now: `go tool mage docs:options` after
// changing an option.
func TestReferenceInSync(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("SKIPPED: nix-instantiate is not installed (Debian package nix-bin); the reference cannot be evaluated")
	}
	root := filepath.Join("..", "..")
	decls, err := Load(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := Write(&want, decls); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, File))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("%s is out of date: run `go tool mage docs:options`", File)
	}
}
