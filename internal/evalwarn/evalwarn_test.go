package evalwarn

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/nix"
)

// planted is a flake shaped like nixosConfigurations (config.warnings, system.build.toplevel)
// without nixpkgs: one host with the warning nixpkgs' mkRenamedOptionModule adds and a lib.warn
// style trace forced by its toplevel, one clean host, one that does not evaluate.
const planted = `{
  outputs = { self }: let
    sys = name: extra: derivation ({ inherit name; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; } // extra);
  in {
    nixosConfigurations.old.config = {
      warnings = [ "The option ` + "`services.xserver.displayManager.gdm.enable'" + ` defined in ` + "`/etc/nixos/hosts/old/default.nix'" + ` has been renamed to ` + "`services.displayManager.gdm.enable'" + `." ];
      system.build.toplevel = builtins.trace "warning: sound.enable is deprecated and no longer has any effect" (sys "old" { });
    };
    nixosConfigurations.clean.config.system.build.toplevel = sys "clean" { };
    nixosConfigurations.broken.config.system.build.toplevel = throw "the option fileSystems.\"/\" is used but not defined";
  };
}
`

func TestCollectPlanted(t *testing.T) {
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not installed")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "flake.nix"), []byte(planted), 0o644); err != nil {
		t.Fatal(err)
	}
	hosts := Collect(t.Context(), nix.On((&command.Executor{}).Local(), nix.Local()), "path:"+dir, []string{"old", "clean", "broken"}, 2)
	old, clean, broken := hosts[0], hosts[1], hosts[2]
	if old.Err != nil || len(old.Warnings) != 2 || old.Warnings[0].Kind != "renamed" || old.Warnings[0].Source != "config.warnings" ||
		old.Warnings[1] != (Warning{Source: "trace", Text: "sound.enable is deprecated and no longer has any effect", Kind: "removed"}) {
		t.Errorf("old: %+v", old)
	}
	if clean.Err != nil || len(clean.Warnings) != 0 || !strings.HasSuffix(clean.Drv, "-clean.drv") {
		t.Errorf("clean: %+v", clean)
	}
	if broken.Err == nil || !strings.Contains(broken.Err.Error(), `host broken: evaluate: error: the option fileSystems."/" is used but not defined`) {
		t.Errorf("broken: %v", broken.Err)
	}
	var b bytes.Buffer
	err := Write(&b, hosts)
	if err == nil || err.Error() != "1 host(s) failed to evaluate: broken" {
		t.Errorf("Write = %v", err)
	}
	for _, want := range []string{"old: renamed (config.warnings): The option `services.xserver", "old: removed (trace): sound.enable", "old        2 warning(s)", "clean      0 warning(s)", "2 warning(s) on 2 host(s)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}

// The local fleet's flake, as HUB_FLEET=local evaluates it: every host evaluates, with no
// warnings (its systems are builtins-only and declare none).
func TestCollectLocalFleet(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620", "razer"}})
	hosts := Collect(t.Context(), nix.On((&command.Executor{}).Local(), nix.Local()), lf.FlakeRef(), []string{"p620", "razer"}, 2)
	for _, h := range hosts {
		if h.Err != nil || len(h.Warnings) != 0 || h.Drv == "" {
			t.Errorf("%s: %+v", h.Host, h)
		}
	}
}
