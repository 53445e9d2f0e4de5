package nixoptions

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nixos-hub/hub/internal/nixparse"
)

// File is one .nix file the check evaluates, relative to the checked tree, and how
// nix/options-check.nix loads it.
type File struct {
	Path string `json:"path"`
	Kind string `json:"kind"` // module | features-module | system
}

// Kinds of checked files.
const (
	KindModule         = "module"          // a NixOS module: modules/**, hosts/*/*.nix
	KindFeaturesModule = "features-module" // nix/features-module.nix: { registry, modulesDir } -> module
	KindSystem         = "system"          // calls nixosSystem: its inline modules are checked
)

// nixFiles says, for every .nix file under nix/ and for flake.nix, whether the check evaluates it
// and, when not, why: a file missing from this table fails the check, so a new file is a
// decision rather than something silently left out.
var nixFiles = map[string]string{
	"nix/features-module.nix": KindFeaturesModule,
	"nix/host.nix":            KindSystem,
	"nix/installer.nix":       KindSystem,

	"flake.nix":                         "skip: the flake; its NixOS configuration is nix/host.nix",
	"modules/lib/admit.nix":             "skip: imported by the service modules (their interfaces option), checked through them",
	"modules/lib/backup-sets.nix":       "skip: imported by modules/backup/restic.nix, checked through it",
	"modules/lib/microvm-guests.nix":    "skip: imported by modules/virtualization/microvm.nix, checked through it",
	"modules/lib/exporter-options.nix":  "skip: imported by the exporter modules, checked through them",
	"modules/lib/systemd-hardening.nix": "skip: imported by the exporter modules, checked through them",
	"modules/lib/exporter-services.nix": "skip: imported by the exporter modules, checked through them",
	"modules/lib/servarr-apikey.nix":    "skip: imported by the *arr modules (modules/media), checked through them",
	"modules/lib/wireguard-peers.nix":   "skip: builtins-only peer resolution imported by modules/networking/wireguard.nix, checked through it",
	"nix/features.nix":                  "skip: builtins-only feature resolution, no options",
	"nix/feature-rules.nix":             "skip: builtins-only registry rules (nix/features.nix, nix/features-module.nix), no options",
	"nix/packages.nix":                  "skip: package definitions, not NixOS configuration",
	"nix/devshell.nix":                  "skip: the development shell, not NixOS configuration",
	"nix/checks.nix":                    "skip: flake checks, not NixOS configuration",
	"nix/vendor-hash.nix":               "skip: a hash",
	"nix/rotation-public-keys.nix":      "skip: builtins-only reader of secrets/rotation.toml, no options (internal/secrets tests it)",
	"nix/options-check.nix":             "skip: this check",
	"nix/options-lib.nix":               "skip: this check",
	"nix/options-manifest.nix":          "skip: this check's regeneration",
	"nix/attr-path.nix":                 "skip: a builtins-only helper (dotted attribute paths), no options",
	"nix/languages.nix":                 "skip: builtins-only language data, no options",
	"nix/language-packages.nix":         "skip: resolves a language's packages in a package set, no options",
	"nix/language-module.nix":           "skip: called by modules/development/languages/*.nix, checked through them",
	"nix/language-shells.nix":           "skip: the per-language development shells, not NixOS configuration",
	"nix/language-check.nix":            "skip: builtins-only comparison of the language features and shells (internal/devshell)",
	"nix/module-render.nix":             "skip: renders one module for internal/shellconf's checks, no options",
	"nix/neovim-init.nix":               "skip: imported by modules/development/neovim.nix, checked through it",
	"nix/option-declarations.nix":       "skip: this check's (and the feature listing's) reader of the hub's option declarations, sets none",
}

// nixDirsSkipped are trees under nix/ that never meet nixpkgs' module system.
var nixDirsSkipped = map[string]string{
	"nix/localfleet/":     "builtins-only systems of the local fleet",
	"nix/installer-demo/": "builtins-only demo installers",
}

// RepoFiles lists the files of the tree at root that the check evaluates: every module under
// modules/, every host's default.nix and hardware-configuration.nix, and the files of nix/ the
// table above marks. A .nix file under nix/ or modules/lib/ (or flake.nix) the table does not
// know is an error.
func RepoFiles(root string) ([]File, error) {
	all, err := nixparse.Files(root)
	if err != nil {
		return nil, fmt.Errorf("listing .nix files under %s: %w", root, err)
	}
	var files []File
	var unknown []string
	for _, f := range all {
		f = filepath.ToSlash(f)
		switch {
		case strings.HasPrefix(f, "modules/lib/"):
			// Helpers the modules import, not modules: each is classified in the table.
			kind, ok := nixFiles[f]
			if !ok {
				unknown = append(unknown, f)
			} else if !strings.HasPrefix(kind, "skip:") {
				files = append(files, File{f, kind})
			}
		case strings.HasPrefix(f, "modules/"):
			files = append(files, File{f, KindModule})
		case strings.HasPrefix(f, "hosts/") && strings.Count(f, "/") == 2:
			files = append(files, File{f, KindModule})
		case f == "flake.nix" || strings.HasPrefix(f, "nix/"):
			if skippedDir(f) {
				continue
			}
			kind, ok := nixFiles[f]
			if !ok {
				unknown = append(unknown, f)
			} else if !strings.HasPrefix(kind, "skip:") {
				files = append(files, File{f, kind})
			}
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%s: not classified for the option check (add them to internal/nixoptions' nixFiles: a kind, or skip with the reason)", strings.Join(unknown, ", "))
	}
	return files, nil
}

func skippedDir(f string) bool {
	for d := range nixDirsSkipped {
		if strings.HasPrefix(f, d) {
			return true
		}
	}
	return false
}

// RepoHosts lists the hosts of the tree at root: directories of hosts/ with a host.toml.
func RepoHosts(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, "hosts"))
	if err != nil {
		return nil, fmt.Errorf("listing hosts: %w", err)
	}
	var hosts []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(root, "hosts", e.Name(), "host.toml")); e.IsDir() && err == nil {
			hosts = append(hosts, e.Name())
		}
	}
	sort.Strings(hosts)
	if len(hosts) == 0 {
		return nil, fmt.Errorf("no hosts/<name>/host.toml under %s", root)
	}
	return hosts, nil
}
