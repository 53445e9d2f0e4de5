package features

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/nix"
)

// inventoryExpr evaluates what the ssh and users modules take from the inventory for one host,
// with nix/options-lib.nix as lib and hub.host set as nix/host.nix sets it.
const inventoryExpr = `{ root, hosts, name }:
let
  lib = import (root + "/nix/options-lib.nix");
  read = f: builtins.fromTOML (builtins.readFile f);
  config.hub.host = { inherit name; toml = read (hosts + "/${name}/host.toml"); fleet = read (hosts + "/fleet.toml"); };
  mod = f: import (root + "/modules/core/${f}.nix") { inherit config lib; pkgs = throw "no pkgs"; };
in
{
  port = (mod "ssh").options.hub.features.ssh.port.default;
  keys = (mod "users").options.hub.features.users.authorizedKeys.default;
}`

// TestModulesReadTheInventory: on every host, the port sshd listens on and the keys it accepts
// are the ones internal/inventory gives the hub (the port it connects to, the keys it merges): the
// modules read host.toml and fleet.toml instead of restating them.
func TestModulesReadTheInventory(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate not installed")
	}
	root, _ := filepath.Abs("../..")
	// The repository's hosts, and two whose ports differ from 22: one from its own host.toml,
	// one from the fleet default.
	other := t.TempDir()
	host := "description = \"t\"\nclass = \"server\"\nsystem = \"x86_64-linux\"\nhardware = \"intel-integrated\"\n"
	for name, content := range map[string]string{
		"fleet.toml":     "[defaults.ssh]\nport = 2200\n",
		"own/host.toml":  host + "[ssh]\nport = 2222\n",
		"dflt/host.toml": host,
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(other, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(other, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := &command.Executor{}
	for _, dir := range []string{filepath.Join(root, "hosts"), other} {
		fleet, err := inventory.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range fleet.Hosts {
			args := append(nix.EvalArgs(), "--eval", "--strict", "--json", "--argstr", "root", root, "--argstr", "hosts", dir,
				"--argstr", "name", h.Name, "--expr", inventoryExpr)
			res, err := e.Local().Run(context.Background(), command.Cmd{Args: append([]string{"nix-instantiate"}, args...)})
			if err != nil {
				t.Fatalf("%s: %v", h.Name, err)
			}
			var got struct {
				Port int
				Keys []string
			}
			if err := json.Unmarshal(res.Stdout, &got); err != nil {
				t.Fatalf("%s: %v: %s", h.Name, err, res.Stdout)
			}
			want := h.SSH.Port
			if want == 0 {
				want = 22
			}
			if got.Port != want {
				t.Errorf("%s: sshd listens on %d, the hub connects to %d", h.Name, got.Port, want)
			}
			if !slices.Equal(got.Keys, h.Users.AuthorizedKeys) {
				t.Errorf("%s: sshd accepts %q, the inventory has %q", h.Name, got.Keys, h.Users.AuthorizedKeys)
			}
		}
	}
}
