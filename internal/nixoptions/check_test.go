package nixoptions

import (
	"context"
	"encoding/json"
	"maps"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/features"
)

const repoRoot = "../.."

func needNix(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("needs nix-instantiate (Debian nix-bin; go tool mage test:parallel installs it)")
	}
}

func repoManifest(t *testing.T) *Manifest {
	t.Helper()
	m, err := LoadManifest(filepath.Join(repoRoot, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The repository's modules, hosts and nix/ files only set and read options of nixos-25.11.
func TestRepository(t *testing.T) {
	needNix(t)
	rep, err := Check(context.Background(), Options{Root: repoRoot})
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Err(); err != nil {
		t.Error(err)
	}
	if rep.Files < 60 || len(rep.Set) < 200 {
		t.Errorf("checked %d files setting %d options: the walk missed most of the repository", rep.Files, len(rep.Set))
	}
}

// Planted defects in testdata/modules are reported as file:line with what is wrong.
func TestPlanted(t *testing.T) {
	needNix(t)
	m := repoManifest(t)
	tests := []struct {
		file string
		want []string // one per finding, in order
	}{
		{"modules/resolved-settings.nix", []string{
			`modules/resolved-settings.nix:4: option services.resolved.settings does not exist in nixos-25.11 (manifest nix/options-25.11.json); services.resolved has dnsovertls, dnssec, domains, enable, extraConfig, fallbackDns, llmnr`,
		}},
		{"modules/wrong-type.nix", []string{
			`modules/wrong-type.nix:4: option services.openssh.enable: string "yes" does not fit type "boolean"`,
			`modules/wrong-type.nix:5: option services.openssh.ports (at *): integer 70000 does not fit type "16 bit unsigned integer; between 0 and 65535 (both inclusive)"`,
			`modules/wrong-type.nix:6: option services.resolved.dnssec: string "maybe" does not fit type "one of \"true\", \"allow-downgrade\", \"false\""`,
		}},
		{"modules/wrapped.nix", []string{
			`modules/wrapped.nix:6: option services.resolved.settings does not exist`,
			`modules/wrapped.nix:9: option services.tailscale.enable: string "yes" does not fit type "boolean"`,
			`modules/wrapped.nix:12: option services.tailscale.useRoutingFeatures: string "sometimes" does not fit`,
		}},
		{"modules/bad-read.nix", []string{
			`modules/bad-read.nix:7: reads config.services.resolved.settings.Resolve.enable: "settings" is no option at that path`,
			`modules/bad-read.nix:8: reads resolved.dnsOverTls: "dnsOverTls" is no option at that path`,
		}},
		{"modules/submodules.nix", []string{
			`modules/submodules.nix:6: option users.users.<name>.extraGroups: string "wheel" does not fit type "list of string"`,
			`modules/submodules.nix:7: option users.users.alice.isNormalUsr does not exist in nixos-25.11 (manifest nix/options-25.11.json); users.users.alice has `,
			`modules/submodules.nix:9: option isoImage.isoName is an alias of image.fileName in nixos-25.11 (evaluation warns): set image.fileName`,
		}},
		{"modules/good.nix", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, err := Check(context.Background(), Options{Root: "testdata", NixDir: filepath.Join(repoRoot, "nix"),
				Manifest: m, Files: []File{{tt.file, KindModule}}, Hosts: []string{"t1"}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("findings:\n%s\nwant %d:\n%s", strings.Join(got, "\n"), len(tt.want), strings.Join(tt.want, "\n"))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("finding %d:\n got %s\nwant %s...", i, got[i], w)
				}
			}
		})
	}
}

// Every file the check evaluates is one nix/options-lib.nix can run: each lib.X (and
// lib.types.X, lib.types.ints.X) they use is provided, so a new use fails here, by name, instead
// of as an evaluation error in the check.
func TestOfflineLibCoversRepository(t *testing.T) {
	needNix(t)
	res, err := (&command.Executor{}).Local().Run(context.Background(), command.Cmd{Args: []string{
		"nix-instantiate", "--eval", "--strict", "--json", "-E",
		`let l = import ` + filepath.Join(mustAbs(t, repoRoot), "nix/options-lib.nix") + `; in { lib = builtins.attrNames l ++ [ "nixosSystem" ]; types = builtins.attrNames l.types; ints = builtins.attrNames l.types.ints; }`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	var names struct{ Lib, Types, Ints []string }
	if err := json.Unmarshal(res.Stdout, &names); err != nil {
		t.Fatal(err)
	}
	files, err := RepoFiles(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	// The fragments modules import are evaluated through them.
	paths := []string{"modules/lib/admit.nix", "modules/lib/exporter-options.nix", "modules/lib/backup-sets.nix", "modules/lib/microvm-guests.nix", "modules/lib/systemd-hardening.nix", "modules/lib/exporter-services.nix"}
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	// not config.lib.X: that is NixOS' lib option, not nixpkgs' lib
	use := regexp.MustCompile(`(?:^|[^.\w])lib\.([A-Za-z0-9_']+)(?:\.([A-Za-z0-9_']+))?(?:\.([A-Za-z0-9_']+))?`)
	for _, p := range paths {
		src := readFile(t, filepath.Join(repoRoot, p))
		if regexp.MustCompile(`\bwith lib;|inherit \(lib\)`).MatchString(src) {
			t.Errorf("%s: `with lib` / `inherit (lib)` hide which lib functions are used; select lib.X instead", p)
		}
		for _, m := range use.FindAllStringSubmatch(src, -1) {
			switch {
			case !slices.Contains(names.Lib, m[1]):
				t.Errorf("%s uses lib.%s, which nix/options-lib.nix does not provide", p, m[1])
			case m[1] == "types" && m[2] != "" && !slices.Contains(names.Types, m[2]):
				t.Errorf("%s uses lib.types.%s, which nix/options-lib.nix does not provide", p, m[2])
			case m[1] == "types" && m[2] == "ints" && m[3] != "" && !slices.Contains(names.Ints, m[3]):
				t.Errorf("%s uses lib.types.ints.%s, which nix/options-lib.nix does not provide", p, m[3])
			}
		}
	}
}

// The offline lib's types describe themselves as nixpkgs' lib/types.nix does, so hub options and
// manifest entries go through one parser.
func TestOfflineTypeDescriptions(t *testing.T) {
	needNix(t)
	exprs := map[string]string{
		`str`:                                    "string",
		`port`:                                   "16 bit unsigned integer; between 0 and 65535 (both inclusive)",
		`listOf str`:                             "list of string",
		`listOf (listOf str)`:                    "list of list of string",
		`attrsOf (submodule { options = { }; })`: "attribute set of (submodule)",
		`nullOr (listOf str)`:                    "null or (list of string)",
		`nullOr (enum [ "a" "b" ])`:              `null or one of "a", "b"`,
		`oneOf [ str bool int ]`:                 "string or boolean or signed integer",
		`ints.between 8 30`:                      "integer between 8 and 30 (both inclusive)",
		`listOf (ints.between 8 30)`:             "list of (integer between 8 and 30 (both inclusive))",
		`attrsOf (oneOf [ str bool int ])`:       "attribute set of (string or boolean or signed integer)",
		`enum [ false "rocm" ]`:                  `one of false, "rocm"`,
	}
	l := filepath.Join(mustAbs(t, repoRoot), "nix/options-lib.nix")
	for expr, want := range exprs {
		res, err := (&command.Executor{}).Local().Run(context.Background(), command.Cmd{Args: []string{
			"nix-instantiate", "--eval", "--strict", "--json", "-E", `with (import ` + l + `).types; (` + expr + `).description`}})
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		var got string
		json.Unmarshal(res.Stdout, &got)
		if got != want {
			t.Errorf("%s: description %q, want %q", expr, got, want)
		}
		if _, err := ParseType(got); err != nil {
			t.Errorf("%s: %v", expr, err)
		}
	}
}

// An uncovered file under nix/ stops the check instead of being skipped silently.
func TestRepoFilesClassifiesEverything(t *testing.T) {
	files, err := RepoFiles(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, f := range files {
		kinds[f.Path] = f.Kind
	}
	for p, k := range map[string]string{
		"modules/networking/resolved.nix": KindModule, "hosts/p620/default.nix": KindModule,
		"hosts/razer/hardware-configuration.nix": KindModule, "nix/features-module.nix": KindFeaturesModule,
		"nix/host.nix": KindSystem, "nix/installer.nix": KindSystem,
	} {
		if kinds[p] != k {
			t.Errorf("%s: kind %q, want %q", p, kinds[p], k)
		}
	}
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "nix/new.nix"), "{ }\n")
	if _, err := RepoFiles(root); err == nil || !strings.Contains(err.Error(), "nix/new.nix: not classified") {
		t.Errorf("unclassified nix/new.nix: err = %v", err)
	}
}

// The collect mode (nix:optionsUsed, the regeneration's input) lists what the repository sets
// and reads; it once stopped at the first value computed from a read.
func TestCollectRepository(t *testing.T) {
	needNix(t)
	u, err := Collect(context.Background(), Options{Root: repoRoot})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"services.resolved.fallbackDns", "hardware.amdgpu.initrd.enable", "services.openssh.enable"} {
		if !slices.Contains(u.Set, want) {
			t.Errorf("Set lacks %s (%d paths)", want, len(u.Set))
		}
	}
	if !slices.Contains(u.Reads, "system.nixos.version") {
		t.Errorf("Reads lacks system.nixos.version: %v", u.Reads)
	}
	for _, p := range append(u.Set, u.Reads...) {
		if strings.HasPrefix(p, "hub.") {
			t.Errorf("the hub's own option %s is listed", p)
		}
	}
}

// TestNoPackageOnlyFeature: a feature carries configuration, not only a package to install
// (issue 22): no feature of modules/features.toml has settings that are nothing but
// environment.systemPackages (and its unfree allowance), as evaluated offline.
func TestNoPackageOnlyFeature(t *testing.T) {
	needNix(t)
	rep, err := Check(context.Background(), Options{Root: repoRoot})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := features.Load(filepath.Join(repoRoot, "modules", "features.toml"))
	if err != nil {
		t.Fatal(err)
	}
	settings := featureSettings(t, rep, reg)
	if len(settings) < 100 {
		t.Fatalf("settings of %d features: the check saw too few", len(settings))
	}
	// The features the per-file view needed exceptions for have settings of their own: a
	// language feature's come from nix/language-module.nix, vscode's extensions from the
	// language features.
	for name, p := range map[string]string{"lang-go": "environment.sessionVariables", "vscode": "hub.features.vscode.languageExtensions"} {
		if !settings[name][p] {
			t.Errorf("feature %s: settings %v lack %s", name, slices.Sorted(maps.Keys(settings[name])), p)
		}
	}
	for _, name := range packageOnly(settings) {
		t.Errorf("feature %s (modules/%s) sets only environment.systemPackages: give it its configuration, or drop it", name, reg.Features[name].Module)
	}
}

// The per-feature view on a planted registry: a feature whose module sets only
// environment.systemPackages fails; one whose settings come from a builder it imports (as the
// lang-* features' from nix/language-module.nix) passes, and so does one that other features
// configure through its own options (as the lang-* features fill vscode's extensions).
func TestPackageOnlyFeatureFixture(t *testing.T) {
	needNix(t)
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "hosts/t1/host.toml"), "system = \"x86_64-linux\"\n")
	writeFile(t, filepath.Join(root, "modules/features.toml"), `
[features.pkg-only]
category = "programs"
module = "t/pkg-only.nix"
description = "only a package"

[features.built]
category = "development"
module = "t/built.nix"
description = "settings from a shared builder"

[features.editor]
category = "development"
module = "t/editor.nix"
description = "a package the other features configure"

[features.plugin]
category = "development"
module = "t/plugin.nix"
description = "configures the editor"
`)
	writeFile(t, filepath.Join(root, "modules/t/pkg-only.nix"), "{ pkgs, ... }: {\n  config.environment.systemPackages = [ pkgs.hello ];\n}\n")
	writeFile(t, filepath.Join(root, "modules/t/built.nix"), "import ../../nix/builder.nix \"built\"\n")
	writeFile(t, filepath.Join(root, "nix/builder.nix"), "name: { pkgs, ... }: {\n  config.environment.systemPackages = [ pkgs.hello ];\n  config.environment.sessionVariables.BUILT = name;\n}\n")
	writeFile(t, filepath.Join(root, "modules/t/editor.nix"), `{ lib, pkgs, ... }: {
  options.hub.features.editor.plugins = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; };
  config.environment.systemPackages = [ pkgs.hello ];
}
`)
	writeFile(t, filepath.Join(root, "modules/t/plugin.nix"), `{ pkgs, ... }: {
  config.environment.systemPackages = [ pkgs.hello ];
  config.hub.features.editor.plugins = [ "p" ];
}
`)
	m, err := LoadManifest(filepath.Join(repoRoot, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var files []File
	for _, f := range []string{"pkg-only", "built", "editor", "plugin"} {
		files = append(files, File{"modules/t/" + f + ".nix", KindModule})
	}
	rep, err := Check(context.Background(), Options{Root: root, NixDir: filepath.Join(repoRoot, "nix"), Manifest: m, Files: files, Hosts: []string{"t1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 0 {
		t.Fatalf("findings in the fixture: %v", rep.Findings)
	}
	reg, err := features.Load(filepath.Join(root, "modules", "features.toml"))
	if err != nil {
		t.Fatal(err)
	}
	// plugin installs a package too, and configures editor with it: that is configuration.
	if got, want := packageOnly(featureSettings(t, rep, reg)), []string{"pkg-only"}; !slices.Equal(got, want) {
		t.Errorf("package-only features %v, want %v", got, want)
	}
}

// featureSettings is the per-feature view of what the check saw: for each feature, the options
// its module sets (wherever the attribute is written: a builder it imports counts), and the
// options of its own (hub.features.<name>.*) that other features' modules set.
func featureSettings(t *testing.T, rep *Report, reg *features.Registry) map[string]map[string]bool {
	t.Helper()
	settings := map[string]map[string]bool{}
	for _, name := range reg.Names() {
		file := "modules/" + reg.Features[name].Module
		set, ok := rep.SetBy[file]
		if !ok {
			t.Fatalf("feature %s: the check did not evaluate %s", name, file)
		}
		settings[name] = maps.Clone(set)
	}
	for _, name := range reg.Names() {
		for p := range rep.SetBy["modules/"+reg.Features[name].Module] {
			rest, ok := strings.CutPrefix(p, "hub.features.")
			if !ok {
				continue
			}
			owner, opt, _ := strings.Cut(rest, ".")
			if owner != name && opt != "enable" && settings[owner] != nil {
				settings[owner][p] = true
			}
		}
	}
	return settings
}

// packageOnly lists, sorted, the features whose settings are environment.systemPackages and its
// unfree allowance at most.
func packageOnly(settings map[string]map[string]bool) []string {
	var only []string
	for name, set := range settings {
		if !slices.ContainsFunc(slices.Collect(maps.Keys(set)), func(p string) bool {
			return p != "environment.systemPackages" && p != "hub.allowUnfree"
		}) {
			only = append(only, name)
		}
	}
	slices.Sort(only)
	return only
}
