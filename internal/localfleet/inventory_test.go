package localfleet

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/inventory"
)

// The local fleet's inventory takes each host's description, class, hardware, tags, roles,
// features and guard from the repository's hosts/ through internal/inventory, so it cannot drift from
// hosts/*.toml (it had its own copy of the six production hosts, which already differed); a
// host the repository lacks is a plain server.
func TestInventoryFromRepoHosts(t *testing.T) {
	repo, err := inventory.Load("../../hosts")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "inventory")
	var hosts []Host
	for i, n := range append(repo.Names(), "web1") {
		hosts = append(hosts, Host{Name: n, Address: "127.0.0.1", Port: 2200 + i})
	}
	if err := writeInventory(dir, "path:/src/hub", "../../hosts", hosts, []string{"StrictHostKeyChecking=no"}); err != nil {
		t.Fatal(err)
	}
	local, err := inventory.Load(dir)
	if err != nil {
		t.Fatalf("the generated inventory does not load: %v", err)
	}
	for _, want := range repo.Hosts {
		got, ok := local.Host(want.Name)
		if !ok {
			t.Errorf("no local host %s", want.Name)
			continue
		}
		if !slices.Equal(got.SSH.Options, []string{"StrictHostKeyChecking=no"}) {
			t.Errorf("%s: ssh options %v, want the fleet's, once each", want.Name, got.SSH.Options)
		}
		if got.Description != want.Description+" (local fleet)" || got.Class != want.Class || got.Hardware != want.Hardware ||
			!slices.Equal(got.Tags, want.Tags) || !slices.Equal(got.Roles, want.Roles) || !slices.Equal(got.Features, want.Features) || got.Guarded != want.Guarded {
			t.Errorf("%s: local %q %s %s %v %v %v %t, repository %q %s %s %v %v %v %t", want.Name,
				got.Description, got.Class, got.Hardware, got.Tags, got.Roles, got.Features, got.Guarded,
				want.Description, want.Class, want.Hardware, want.Tags, want.Roles, want.Features, want.Guarded)
		}
	}
	if web, ok := local.Host("web1"); !ok || web.Class != "server" || !slices.Equal(web.Tags, []string{"local"}) || len(web.Roles) != 0 {
		t.Errorf("web1 (not in the repository) = %+v, want a plain server", web)
	}
}

// A broken repository host.toml stops fleet:up with internal/inventory's error naming its file and
// line, instead of a local fleet built from half of it.
func TestInventoryRepoHostsBroken(t *testing.T) {
	repo := t.TempDir()
	if err := os.MkdirAll(filepath.Join(repo, "p620"), 0o755); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(repo, "p620", "host.toml")
	if err := os.WriteFile(bad, []byte("class = \"workstation\"\nroles = \"not a list\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := writeInventory(filepath.Join(t.TempDir(), "inventory"), "path:/src/hub", repo, []Host{{Name: "p620", Address: "127.0.0.1", Port: 2200}}, nil)
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("err = %v, want one naming %s", err, bad)
	}
}

// A repository host's [[microvm]] tables reach the local fleet's inventory unchanged, and the
// hub's strict loader reads them back: the local fleet runs the repository's guests.
func TestInventoryCopiesMicroVMs(t *testing.T) {
	repo := t.TempDir()
	os.MkdirAll(filepath.Join(repo, "p620"), 0o755)
	if err := os.WriteFile(filepath.Join(repo, "p620", "host.toml"), []byte(`description = "dev"
system = "x86_64-linux"
class = "workstation"
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
