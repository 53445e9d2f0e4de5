package microvm

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
)

// modules/lib/microvm-guests.nix (what the microvm feature gives microvm.nix) reads the same tables as
// internal/inventory (what the hub runs): the same vcpu, memory, forwards and share tags.
func TestNixGuestsAgreeWithInventory(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate not installed (Debian package nix-bin)")
	}
	f := testFleet(t)
	h, _ := f.Host("p620")
	// A share and a disk on dev-vm, so every branch of the Nix file is evaluated.
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	expr := `import ` + filepath.Join(root, "modules/lib/microvm-guests.nix") + ` { host = builtins.fromTOML (builtins.readFile ` + h.File + ` + "\n" + ''
[[microvm]]
name = "web"
ssh_port = 2300
disk_mib = 100
shares = [{ source = "/srv/www.d", mount = "/var/www.d" }]
ports = [{ host = 8080, guest = 80 }]
''); }`
	res, err := (&command.Executor{}).Local().Run(context.Background(), command.Cmd{Args: []string{"nix-instantiate", "--eval", "--strict", "--json", "-E", expr}})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Guests map[string]struct {
			Autostart bool `json:"autostart"`
			TOML      struct {
				Hardware string   `json:"hardware"`
				Features []string `json:"features"`
			} `json:"toml"`
			MicroVM struct {
				VCPU         int `json:"vcpu"`
				Mem          int `json:"mem"`
				ForwardPorts []struct {
					Host  struct{ Port int } `json:"host"`
					Guest struct{ Port int } `json:"guest"`
				} `json:"forwardPorts"`
				Shares []struct {
					Tag        string `json:"tag"`
					MountPoint string `json:"mountPoint"`
				} `json:"shares"`
				Volumes []struct {
					MountPoint string `json:"mountPoint"`
					Size       int    `json:"size"`
				} `json:"volumes"`
			} `json:"microvm"`
		} `json:"guests"`
		Ports []int `json:"ports"`
	}
	if err := json.Unmarshal(res.Stdout, &got); err != nil {
		t.Fatalf("%v\n%s", err, res.Stdout)
	}
	for _, vm := range h.MicroVMs {
		g, ok := got.Guests[vm.Name]
		if !ok {
			t.Fatalf("nix has no guest %s: %s", vm.Name, res.Stdout)
		}
		if g.MicroVM.VCPU != vm.VCPU || g.MicroVM.Mem != vm.MemoryMiB || g.Autostart != vm.Autostart || g.TOML.Hardware != "microvm-guest" {
			t.Errorf("%s: nix %+v, inventory %+v", vm.Name, g, vm)
		}
		if fp := g.MicroVM.ForwardPorts; len(fp) == 0 || fp[0].Host.Port != vm.SSHPort || fp[0].Guest.Port != 22 {
			t.Errorf("%s: forwards %+v, want ssh_port %d -> 22 first", vm.Name, fp, vm.SSHPort)
		}
	}
	web := got.Guests["web"].MicroVM
	wantShares := []struct {
		Tag        string `json:"tag"`
		MountPoint string `json:"mountPoint"`
	}{{"ro-store", "/nix/.ro-store"}, {"s0-www-d", "/var/www.d"}}
	if !reflect.DeepEqual(web.Shares, wantShares) {
		t.Errorf("web shares %+v, want %+v", web.Shares, wantShares)
	}
	// The inventory's tag rule for the same share (what the local fleet's QEMU mounts by).
	if tag := (inventory.MicroVMShare{Source: "/srv/www.d", Mount: "/var/www.d"}).Tag(0); tag != web.Shares[1].Tag {
		t.Errorf("inventory tag %q, nix tag %q", tag, web.Shares[1].Tag)
	}
	if len(web.Volumes) != 1 || web.Volumes[0].Size != 100 || web.Volumes[0].MountPoint != "/data" {
		t.Errorf("web volumes %+v", web.Volumes)
	}
	if !reflect.DeepEqual(got.Ports, []int{2222, 2223, 2300, 8080}) {
		t.Errorf("firewall ports %v", got.Ports)
	}
}
