package nixoptions

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/goldenfile"
)

// fakeOptions is a tiny options tree in the shape nixpkgs' module system gives it: option
// attribute sets with a type (description, name, getSubOptions) and declarations, groups as
// plain attribute sets, an alias made by mkRenamedOptionModule.
const fakeOptions = `
let
  opt = type: decl: extra: { _type = "option"; inherit type; declarations = [ decl ]; description = "d"; } // extra;
  t = name: description: { inherit name description; getSubOptions = _: { }; };
  sub = options: { name = "submodule"; description = "submodule"; getSubOptions = _: options; };
  attrsOfSub = options: { name = "attrsOf"; description = "attribute set of (submodule)"; getSubOptions = _: options; };
  listOfSub = options: { name = "listOf"; description = "list of (submodule)"; getSubOptions = _: options; };
  np = "/nix/store/aaaa-source/";
in {
  services.openssh = {
    enable = opt (t "bool" "boolean") (np + "nixos/modules/services/networking/ssh/sshd.nix") { };
    settings = opt (sub { PermitRootLogin = opt (t "enum" "one of \"yes\", \"no\"") (np + "nixos/modules/services/networking/ssh/sshd.nix") { }; })
      (np + "nixos/modules/services/networking/ssh/sshd.nix") { };
  };
  users.users = opt (attrsOfSub { extraGroups = opt (t "listOf" "list of string") (np + "nixos/modules/config/users-groups.nix") { }; })
    (np + "nixos/modules/config/users-groups.nix") { };
  networking.interfaces = opt (attrsOfSub {
    ipv4.addresses = opt (listOfSub { address = opt (t "str" "string") (np + "nixos/modules/tasks/network-interfaces.nix") { }; })
      (np + "nixos/modules/tasks/network-interfaces.nix") { };
  }) (np + "nixos/modules/tasks/network-interfaces.nix") { };
  services.loki.configuration = opt (t "yaml" "YAML 1.1 value") (np + "nixos/modules/services/monitoring/loki.nix") { };
  isoImage.isoName = opt (t "str" "string") (np + "nixos/modules/installer/cd-dvd/iso-image.nix")
    { visible = false; description = "Alias of {option}` + "`image.fileName`" + `."; };
  image.fileName = opt (t "str" "string") (np + "nixos/modules/image/file-options.nix") { };
  age.identityPaths = opt (t "listOf" "list of path") "/nix/store/bbbb-source/modules/age.nix" { };
}`

// options-manifest.nix resolves the paths the hub writes to the options that hold them.
func TestManifestExpression(t *testing.T) {
	needNix(t)
	paths := [][]string{
		{"services", "openssh", "enable"},
		{"services", "openssh", "settings", "PermitRootLogin"},
		{"services", "openssh", "settings", "X11Forwarding"}, // freeform: the settings option holds it
		{"users", "users", "admin", "extraGroups"},
		{"networking", "interfaces", "microvm0", "ipv4", "addresses"},
		{"services", "loki", "configuration", "common", "path_prefix"},
		{"isoImage", "isoName"},
		{"services", "resolved", "settings", "Resolve", "DNSSEC"}, // no such option
		{"age", "identityPaths"},
	}
	pj, _ := json.Marshal(paths)
	expr := `import ` + filepath.Join(mustAbs(t, repoRoot), "nix/options-manifest.nix") + ` { options = ` + fakeOptions + `; paths = builtins.fromJSON ''` + string(pj) + `''; }`
	res, err := (&command.Executor{}).Local().Run(context.Background(), command.Cmd{Args: []string{"nix-instantiate", "--eval", "--strict", "--json", "-E", expr}})
	if err != nil {
		t.Fatal(err)
	}
	var out regenOutput
	if err := json.Unmarshal(res.Stdout, &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range out.Options {
		rn := ""
		if o.RenamedTo != nil {
			rn = " -> " + *o.RenamedTo
		}
		got[FormatPath(o.Loc)] = o.Type + " @ " + strings.Join(o.Declarations, ",") + rn
	}
	want := map[string]string{
		"services.openssh.enable":                     "boolean @ /nix/store/aaaa-source/nixos/modules/services/networking/ssh/sshd.nix",
		"services.openssh.settings":                   "submodule @ /nix/store/aaaa-source/nixos/modules/services/networking/ssh/sshd.nix",
		"services.openssh.settings.PermitRootLogin":   `one of "yes", "no" @ /nix/store/aaaa-source/nixos/modules/services/networking/ssh/sshd.nix`,
		"users.users":                                 "attribute set of (submodule) @ /nix/store/aaaa-source/nixos/modules/config/users-groups.nix",
		"users.users.<name>.extraGroups":              "list of string @ /nix/store/aaaa-source/nixos/modules/config/users-groups.nix",
		"networking.interfaces":                       "attribute set of (submodule) @ /nix/store/aaaa-source/nixos/modules/tasks/network-interfaces.nix",
		"networking.interfaces.<name>.ipv4.addresses": "list of (submodule) @ /nix/store/aaaa-source/nixos/modules/tasks/network-interfaces.nix",
		"services.loki.configuration":                 "YAML 1.1 value @ /nix/store/aaaa-source/nixos/modules/services/monitoring/loki.nix",
		"isoImage.isoName":                            "string @ /nix/store/aaaa-source/nixos/modules/installer/cd-dvd/iso-image.nix -> image.fileName",
		"image.fileName":                              "string @ /nix/store/aaaa-source/nixos/modules/image/file-options.nix",
		"age.identityPaths":                           "list of path @ /nix/store/bbbb-source/modules/age.nix",
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: %q, want %q", p, got[p], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("options %v, want %d", got, len(want))
	}
	if len(out.Unresolved) != 1 || FormatPath(out.Unresolved[0]) != "services.resolved.settings.Resolve.DNSSEC" {
		t.Errorf("unresolved %v, want the 26.05 resolved option only", out.Unresolved)
	}
}

// regenTree is a repository with the checker, a manifest and one module, in a temp dir.
func regenTree(t *testing.T) string {
	root := t.TempDir()
	for _, f := range []string{"options-check.nix", "option-declarations.nix", "options-lib.nix", "options-manifest.nix"} {
		writeFile(t, filepath.Join(root, "nix", f), readFile(t, filepath.Join(repoRoot, "nix", f)))
	}
	writeFile(t, filepath.Join(root, "hosts/t1/host.toml"), readFile(t, "testdata/hosts/t1/host.toml"))
	writeFile(t, filepath.Join(root, "modules/ssh.nix"), "{ ... }: { services.openssh.enable = true; isoImage.isoName = \"x\"; }\n")
	old := &Manifest{Comment: "A record.", Release: "nixos-25.11",
		Sources: []Source{
			{Name: "nixpkgs", Repo: "NixOS/nixpkgs", Ref: "release-25.11", Date: "2025-12-01", Method: "by hand"},
			{Name: "agenix", Repo: "ryantm/agenix", Ref: "main", Date: "2025-12-01", Method: "by hand"},
		},
		Options: map[string]Option{
			"services.openssh.enable": {Type: "boolean", Declared: "nixos/modules/services/networking/ssh/sshd.nix", Note: "kept while the type stays"},
			"age.identityPaths":       {Type: "list of path", Declared: "modules/age.nix", Source: "agenix"},
		}}
	if err := WriteManifest(filepath.Join(root, ManifestFile), old); err != nil {
		t.Fatal(err)
	}
	return root
}

// Where the flake's inputs cannot be fetched, the target says so in one line and writes nothing.
func TestRegenerateUnreachable(t *testing.T) {
	root := regenTree(t)
	before := readFile(t, filepath.Join(root, ManifestFile))
	var calls []string
	run := func(ctx context.Context, dir string, args ...string) ([]byte, error) {
		calls = append(calls, strings.Join(args, " "))
		return nil, errors.New("nix flake metadata: error: unable to download 'https://github.com/NixOS/nixpkgs/archive/nixos-25.11.tar.gz': Could not resolve host\nmore detail")
	}
	err := Regenerate(context.Background(), Regen{Root: root, Run: run}, os.Stdout)
	var ue *UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want *UnreachableError", err)
	}
	if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "stays as recorded") || !strings.Contains(err.Error(), "Could not resolve host") {
		t.Errorf("message %q: want one line saying why and what to do", err)
	}
	if len(calls) != 1 || !strings.HasPrefix(calls[0], "flake metadata --no-write-lock-file") {
		t.Errorf("calls %q: want only the probe", calls)
	}
	if readFile(t, filepath.Join(root, ManifestFile)) != before {
		t.Error("the manifest changed although nixpkgs was unreachable")
	}
}

// With a reachable nixpkgs, the manifest is rebuilt from the evaluation: declaring files
// relative to their input, sources pinned and dated, notes kept where the type is unchanged.
func TestRegenerateWrites(t *testing.T) {
	needNix(t)
	root := regenTree(t)
	var paths [][]string
	run := func(ctx context.Context, dir string, args ...string) ([]byte, error) {
		if args[0] == "flake" {
			return []byte(`{}`), nil
		}
		expr := args[len(args)-1]
		for _, w := range []string{"builtins.getFlake", "nixosConfigurations.\"t1\".options", "options-manifest.nix"} {
			if !strings.Contains(expr, w) {
				t.Errorf("nix eval expression lacks %s:\n%s", w, expr)
			}
		}
		i := strings.Index(expr, "builtins.readFile \"")
		pf := expr[i+len("builtins.readFile \""):]
		json.Unmarshal([]byte(readFile(t, pf[:strings.Index(pf, "\"")])), &paths)
		return []byte(`{
  "inputs": {
    "nixpkgs": {"outPath": "/nix/store/aaaa-source", "rev": "feedbeef", "ref": ""},
    "agenix": {"outPath": "/nix/store/bbbb-source", "rev": "cafe", "ref": ""}
  },
  "options": [
    {"loc": ["services","openssh","enable"], "type": "boolean", "declarations": ["/nix/store/aaaa-source/nixos/modules/services/networking/ssh/sshd.nix"], "renamedTo": null},
    {"loc": ["isoImage","isoName"], "type": "string", "declarations": ["/nix/store/aaaa-source/nixos/modules/installer/cd-dvd/iso-image.nix"], "renamedTo": "image.fileName"},
    {"loc": ["image","fileName"], "type": "string", "declarations": ["/nix/store/aaaa-source/nixos/modules/image/file-options.nix"], "renamedTo": null},
    {"loc": ["age","identityPaths"], "type": "list of path", "declarations": ["/nix/store/bbbb-source/modules/age.nix"], "renamedTo": null}
  ],
  "unresolved": [["services","resolved","settings"]]
}`), nil
	}
	var out strings.Builder
	now := func() time.Time { return time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC) }
	if err := Regenerate(context.Background(), Regen{Root: root, Run: run, Now: now}, &out); err != nil {
		t.Fatal(err)
	}
	var flat []string
	for _, p := range paths {
		flat = append(flat, FormatPath(p))
	}
	for _, w := range []string{"services.openssh.enable", "age.identityPaths", "isoImage.isoName"} {
		if !slices.Contains(flat, w) {
			t.Errorf("paths sent to nix eval %q lack %s (manifest and collected paths)", flat, w)
		}
	}
	if !strings.Contains(out.String(), "4 options from nixpkgs feedbeef") || !strings.Contains(out.String(), "unresolved: services.resolved.settings") {
		t.Errorf("output %q", out.String())
	}
	goldenfile.Check(t, filepath.Join("testdata", "golden", "regenerated.json"), []byte(readFile(t, filepath.Join(root, ManifestFile))))
}
