package backup

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/nix"
)

// TestMountWithoutFileSystemWarns: a set on a backup disk that no fileSystems entry mounts is
// a build-time warning naming the host, set and mount point; a declared disk, or a set without
// a mount, is not.
func TestMountWithoutFileSystemWarns(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate not installed")
	}
	set := map[string]any{"name": "system", "paths": []string{"/etc"}, "repository": "/mnt/backup/restic",
		"mount": "/mnt/backup", "password_file": "/run/agenix/restic-password"}
	remote := map[string]any{"name": "system", "paths": []string{"/etc"}, "repository": "sftp:b@nas:/r", "password_file": "/run/agenix/restic-password"}
	for _, tt := range []struct {
		name        string
		set         map[string]any
		fileSystems string
		want        string
	}{
		{"undeclared disk", set, "{ }", `host p510: backup set system needs /mnt/backup mounted, but no fileSystems."/mnt/backup" declares it`},
		{"declared disk", set, `{ "/mnt/backup" = { device = "/dev/disk/by-label/backup"; }; }`, ""},
		{"remote repository", remote, "{ }", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			toml, _ := json.Marshal(map[string]any{"backup": []any{tt.set}})
			expr := fmt.Sprintf(`let
  lib = import ../../nix/options-lib.nix;
  config = {
    hub.features.restic = { enable = true; timerConfig = { }; };
    hub.features.node-exporter.textfileDir = "/var/lib/textfile";
    hub.host = { name = "p510"; toml = builtins.fromJSON %q; };
    fileSystems = %s;
  };
  m = import ../../modules/backup/restic.nix { inherit config lib; pkgs = { }; };
in (builtins.elemAt m.config.contents 1).content.warnings`, toml, tt.fileSystems)
			out, err := exec.CommandContext(t.Context(), "nix-instantiate", append(nix.EvalArgs(), "--eval", "--strict", "--json", "-E", expr)...).CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			var warnings []string
			if err := json.Unmarshal(out, &warnings); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			switch {
			case tt.want == "" && len(warnings) != 0:
				t.Errorf("warnings %q, want none", warnings)
			case tt.want != "" && (len(warnings) != 1 || !strings.HasPrefix(warnings[0], tt.want)):
				t.Errorf("warnings %q, want one starting %q", warnings, tt.want)
			}
		})
	}
}
