package features

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// What the feature modules must know about nixos-25.11 that no option check can see: which
// nixpkgs modules pull unfree packages in, which option only works together with another, which
// input pins do not build. Each fact names the nixpkgs (or input) file it was read from; they hold
// for the release the flake follows, which the first test pins. Option names and types are
// checked separately, against the recorded manifest (internal/nixoptions).

const flakeRelease = "nixos-25.11"

func readRepo(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The facts below are for the release the flake follows; moving the flake means reviewing them.
func TestFlakeFollowsTheReleaseOfTheFacts(t *testing.T) {
	flake := readRepo(t, "flake.nix")
	if !strings.Contains(flake, `nixpkgs.url = "github:NixOS/nixpkgs/`+flakeRelease+`"`) {
		t.Fatalf("flake.nix no longer follows %s: review the facts in %s for the new release", flakeRelease, "internal/features/nixpkgs_test.go")
	}
}

// lanzaboote releases that do not build against nixos-25.11 with inputs.nixpkgs.follows.
func TestLanzabootePin(t *testing.T) {
	bad := map[string]string{
		"v0.4.2": "its Rust 1.78 toolchain (rust/uefi/rust-toolchain.toml) does not build against nixos-25.11: lanzaboote issue 510; v0.4.3 moved to 1.86",
	}
	m := regexp.MustCompile(`url = "github:nix-community/lanzaboote/([^"]*)"`).FindStringSubmatch(readRepo(t, "flake.nix"))
	if m == nil {
		t.Fatal("flake.nix: no lanzaboote input pinned to a tag (github:nix-community/lanzaboote/<tag>)")
	}
	if why, ok := bad[m[1]]; ok {
		t.Errorf("flake.nix pins lanzaboote %s: %s", m[1], why)
	}
}

// Every feature module that turns on a nixpkgs module whose closure holds unfree packages allows
// them itself (hub.allowUnfree), so any host enabling the feature evaluates; the allow-list is
// nixpkgs.config.allowUnfreePredicate (nix/features-module.nix), and lib.getName is what it sees.
func TestFeatureModulesAllowTheirUnfreePackages(t *testing.T) {
	facts := []struct {
		uses  *regexp.Regexp
		names []string
		from  string
	}{
		{regexp.MustCompile(`\bservices\.nzbget\b`), []string{"unrar"},
			"nixos/modules/services/misc/nzbget.nix: the unit's path is [ unrar p7zip ], and unrar is unfree"},
		{regexp.MustCompile(`\bservices\.plex\b`), []string{"plexmediaserver"},
			"nixos/modules/services/misc/plex.nix: pkgs.plex (pname plexmediaserver) is unfree"},
		{regexp.MustCompile(`\bhardware\.nvidia\b`), []string{"nvidia-x11", "nvidia-settings"},
			"nixos/modules/hardware/video/nvidia.nix: the driver's userspace and nvidia-settings are unfree"},
		{regexp.MustCompile(`\bnvidiaPersistenced\b`), []string{"nvidia-persistenced"},
			"nixos/modules/hardware/video/nvidia.nix: hardware.nvidia.nvidiaPersistenced runs the unfree nvidia-persistenced"},
		{regexp.MustCompile(`mkPackageOption pkgs "vscode"`), []string{"vscode"},
			"pkgs/applications/editors/vscode: vscode is unfree"},
	}
	allow := regexp.MustCompile(`(?s)hub\.allowUnfree\s*=[^;]*;`)
	r, _ := repoRegistry(t)
	for _, name := range r.Names() {
		file := filepath.ToSlash(filepath.Join("modules", r.Features[name].Module))
		src := readRepo(t, file)
		allowed := strings.Join(allow.FindAllString(src, -1), "\n")
		for _, f := range facts {
			if !f.uses.MatchString(src) {
				continue
			}
			for _, n := range f.names {
				if !strings.Contains(allowed, `"`+n+`"`) {
					t.Errorf("%s (feature %s): uses %s but does not add %q to hub.allowUnfree (%s)", file, name, f.uses, n, f.from)
				}
			}
		}
	}
}

// nixos-25.11's ollama module runs cfg.package.override { inherit (cfg) acceleration; } and
// acceleration defaults to null: a module that picks an accelerated package must say the same in
// acceleration, or pkgs.ollama-rocm is rebuilt for the CPU (nixos/modules/services/misc/ollama.nix;
// nixpkgs PR 466004 removed the option for 26.05).
func TestOllamaPackageComesWithAcceleration(t *testing.T) {
	r, _ := repoRegistry(t)
	found := false
	for _, name := range r.Names() {
		file := filepath.ToSlash(filepath.Join("modules", r.Features[name].Module))
		src := readRepo(t, file)
		if !strings.Contains(src, "services.ollama") || !regexp.MustCompile(`\bollama-(rocm|cuda|vulkan)\b`).MatchString(src) {
			continue
		}
		found = true
		if !regexp.MustCompile(`\binherit acceleration\b|\bacceleration\s*=`).MatchString(src) ||
			!strings.Contains(src, "options.services.ollama") {
			t.Errorf("%s (feature %s): sets an accelerated services.ollama.package without services.ollama.acceleration (guarded by options.services.ollama for releases without it)", file, name)
		}
	}
	if !found {
		t.Fatal("no feature module configures an accelerated services.ollama: the fact has nothing to check")
	}
}
