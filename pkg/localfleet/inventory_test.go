package localfleet

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nixos-hub/hub/pkg/inventory"
)

// A repository host's [[microvm]] tables reach the local fleet's inventory unchanged, and the
// hub's strict loader reads them back: the local fleet runs the repository's guests.
func TestInventoryCopiesMicroVMs(t *testing.T) {
	repo := t.TempDir()
	os.MkdirAll(filepath.Join(repo, "p620"), 0o755)
	if err := os.WriteFile(filepath.Join(repo, "p620", "host.toml"), []byte(`class = "workstation"
hardware = "amd-gpu"
features = ["microvm"]

[[microvm]]
name = "dev-vm"
vcpu = 2
memory_mib = 2048
ssh_port = 2222
user = "dev"
shares = [{ source = "/srv/projects", mount = "/home/dev/projects", read_only = true }]
ports = [{ host = 8080, guest = 80 }]
features = ["neovim"]
autostart = false
`), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := writeInventory(dir, "path:/flake", repo, []Host{{Name: "p620", Address: "127.0.0.9", Port: 22}, {Name: "hp", Address: "127.0.0.10", Port: 22}}, nil); err != nil {
		t.Fatal(err)
	}
	f, err := inventory.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := f.Host("p620")
	want := []inventory.MicroVM{{Name: "dev-vm", VCPU: 2, MemoryMiB: 2048, DiskMount: "/data", SSHPort: 2222, User: "dev",
		Shares: []inventory.MicroVMShare{{Source: "/srv/projects", Mount: "/home/dev/projects", ReadOnly: true}},
		Ports:  []inventory.MicroVMPort{{Host: 8080, Guest: 80}}, Features: []string{"neovim"}, Autostart: false, Line: h.MicroVMs[0].Line}}
	if !reflect.DeepEqual(h.MicroVMs, want) || h.MicroVMs[0].Line == 0 {
		t.Errorf("copied guests:\n got %+v\nwant %+v", h.MicroVMs, want)
	}
	if hp, _ := f.Host("hp"); len(hp.MicroVMs) != 0 {
		t.Errorf("hp got guests %+v", hp.MicroVMs)
	}
}
