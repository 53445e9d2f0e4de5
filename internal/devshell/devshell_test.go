package devshell

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/features"
	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/sysdeps"
)

const root = "../.."

func needNix(t *testing.T, bin string) {
	t.Helper()
	if _, err := exec.LookPath(bin); err != nil {
		t.Skipf("SKIPPED: %s is not installed", bin)
	}
}

// The devShell of every language has exactly the packages its host feature installs.
func TestShellEqualsHostFeature(t *testing.T) {
	needNix(t, "nix-instantiate")
	res, err := Compare(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	langs, err := Languages(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(langs) || len(langs) == 0 {
		t.Fatalf("compared %d languages, nix/languages.nix has %d", len(res), len(langs))
	}
	for _, l := range langs {
		if len(res[l.Name].Shell) == 0 {
			t.Errorf("language %s: empty shell", l.Name)
		}
	}
}

// Every language is a registry feature lang-<name> with its module, and every lang-* feature
// is a language: the two lists cannot drift apart.
func TestEveryLanguageIsAFeature(t *testing.T) {
	needNix(t, "nix-instantiate")
	langs, err := Languages(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := features.Load(filepath.Join(root, "modules/features.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range langs {
		names = append(names, l.feature())
		f, ok := reg.Features[l.feature()]
		if !ok {
			t.Errorf("language %s has no feature %s in modules/features.toml", l.Name, l.feature())
			continue
		}
		if want := "development/languages/" + l.Name + ".nix"; f.Module != want {
			t.Errorf("feature %s: module %s, want %s", l.feature(), f.Module, want)
		}
	}
	for name := range reg.Features {
		if len(name) > 5 && name[:5] == "lang-" && !slices.Contains(names, name) {
			t.Errorf("feature %s is no language of nix/languages.nix", name)
		}
	}
}

// A language list entry that the module does not install is reported by name.
func TestCompareReportsDrift(t *testing.T) {
	needNix(t, "nix-instantiate")
	dir := t.TempDir()
	for _, f := range []string{"nix/languages.nix", "nix/attr-path.nix", "nix/language-packages.nix", "nix/language-shells.nix", "nix/language-module.nix", "nix/language-check.nix", "nix/options-lib.nix"} {
		copyFile(t, filepath.Join(root, f), filepath.Join(dir, f))
	}
	langs, err := Languages(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range langs {
		src := filepath.Join(root, "modules/development/languages", l.Name+".nix")
		copyFile(t, src, filepath.Join(dir, "modules/development/languages", l.Name+".nix"))
	}
	// go's module installs one package more than the shell.
	os.WriteFile(filepath.Join(dir, "modules/development/languages/go.nix"), []byte(`import ../../../nix/language-module.nix "go" {
  config = _: { environment.systemPackages = [ { hubPackage = "gotestsum"; } ]; };
}
`), 0o644)
	// and zig's cache directory has a double quote, which pam_env cannot hold.
	data, _ := os.ReadFile(filepath.Join(dir, "nix/languages.nix"))
	data = []byte(strings.Replace(string(data), `ZIG_GLOBAL_CACHE_DIR = "$HOME/.cache/zig"`, `ZIG_GLOBAL_CACHE_DIR = "$HOME/\"zig\""`, 1))
	os.WriteFile(filepath.Join(dir, "nix/languages.nix"), data, 0o644)
	_, err = Compare(context.Background(), dir)
	want := "language go: feature lang-go installs [go gopls gotools golangci-lint delve gotestsum], nix/languages.nix declares [go gopls gotools golangci-lint delve]\n" +
		"language zig: ZIG_GLOBAL_CACHE_DIR contains a double quote, which pam_env cannot hold"
	if err == nil || err.Error() != want {
		t.Fatalf("Compare() error = %v, want %q", err, want)
	}
}

func TestDevelopArgs(t *testing.T) {
	got := developArgs(Options{Root: "/src/hub", Language: "go", Command: []string{"go", "version"}, Settings: nix.Real()})
	want := []string{"develop", "--extra-experimental-features", "nix-command flakes", "--no-write-lock-file", "/src/hub#go", "--command", "go", "version"}
	if !slices.Equal(got, want) {
		t.Fatalf("DevelopArgs() = %q, want %q", got, want)
	}
}

// Where nixpkgs cannot be had, entering a shell is SKIPPED, not failed; where this machine's
// store holds the flake's inputs, it runs the language's compiler inside the real shell. Offline
// (a namespace without network): the test sends no packet.
func TestEnterRealOrSkipped(t *testing.T) {
	needNix(t, "nix")
	needNix(t, "nix-instantiate")
	abs, _ := filepath.Abs(root)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if os.Geteuid() != 0 {
		t.Skip("SKIPPED: the network namespace (unshare --net) needs root")
	}
	err := Enter(ctx, Options{Root: abs, Language: "go", Command: []string{"go", "version"}, ProbeTimeout: 20 * time.Second, Settings: nix.Real(), Offline: true})
	var skip *SkipError
	if errors.As(err, &skip) {
		t.Skip(skip.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestEnterUnknownLanguage(t *testing.T) {
	needNix(t, "nix-instantiate")
	err := Enter(context.Background(), Options{Root: root, Language: "cobol", ProbeTimeout: time.Second, Settings: nix.Real()})
	if err == nil || !strings.HasPrefix(err.Error(), `no language "cobol" in `) {
		t.Fatalf("Enter(cobol) = %v", err)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The Neovim init with every language's servers is what the golden file shows, and it compiles
// as Lua (luac -p: syntax only, Neovim itself is not here).
func TestNeovimInitCompiles(t *testing.T) {
	needNix(t, "nix-instantiate")
	lua, err := neovimInit(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/neovim-init.lua", []byte(lua))
	luac, err := sysdeps.Find(sysdeps.Luac.Binary)
	if err != nil {
		t.Skipf("SKIPPED: the syntax check needs %s (Debian package %s)", sysdeps.Luac.Binary, sysdeps.Luac.Package)
	}
	file := filepath.Join(t.TempDir(), "init.lua")
	if err := os.WriteFile(file, []byte(lua), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(luac, "-p", file).CombinedOutput(); err != nil {
		t.Fatalf("luac -p: %v: %s", err, out)
	}
}
