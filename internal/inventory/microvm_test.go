package inventory

import (
	"reflect"
	"strings"
	"testing"
)

func TestMicroVMsDecode(t *testing.T) {
	dir := writeFleet(t, map[string]string{
		"p620/host.toml": goodHost + `features = ["microvm"]

[[microvm]]
name = "dev-vm"
vcpu = 4
memory_mib = 8192
disk_mib = 10240
disk_mount = "/home/dev"
ssh_port = 2222
user = "dev"
shares = [{ source = "/var/lib/microvms/dev-vm/projects", mount = "/home/dev/projects" }]
ports = [{ host = 8080, guest = 80 }, { host = 3000, guest = 3000 }]
features = ["neovim", "tmux"]

[[microvm]]
name = "test-vm"
ssh_port = 2223
autostart = false
shares = [{ source = "/srv/data", mount = "/mnt/data", read_only = true }]
`,
	})
	f, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := f.Host("p620")
	want := []MicroVM{
		{Name: "dev-vm", VCPU: 4, MemoryMiB: 8192, DiskMiB: 10240, DiskMount: "/home/dev", SSHPort: 2222, User: "dev",
			Shares:   []MicroVMShare{{Source: "/var/lib/microvms/dev-vm/projects", Mount: "/home/dev/projects"}},
			Ports:    []MicroVMPort{{Host: 8080, Guest: 80}, {Host: 3000, Guest: 3000}},
			Features: []string{"neovim", "tmux"}, Autostart: true, Line: 9},
		{Name: "test-vm", VCPU: defaultMicroVMVCPU, MemoryMiB: defaultMicroVMMemoryMiB, DiskMount: defaultMicroVMDiskMount,
			SSHPort: 2223, User: "root", Shares: []MicroVMShare{{Source: "/srv/data", Mount: "/mnt/data", ReadOnly: true}}, Line: 21},
	}
	if !reflect.DeepEqual(h.MicroVMs, want) {
		t.Errorf("MicroVMs:\n got %+v\nwant %+v", h.MicroVMs, want)
	}
	if v, ok := h.microVM("test-vm"); !ok || v.StateDir() != "/var/lib/microvms/test-vm" {
		t.Errorf("MicroVM(test-vm) = %+v, %v", v, ok)
	}
	if got := h.MicroVMs[0].Shares[0].Tag(0); got != "s0-projects" {
		t.Errorf("share tag %q", got)
	}
	if errs := f.CheckMicroVMFeature(); len(errs) != 0 {
		t.Errorf("CheckMicroVMFeature: %v", errs)
	}
}

// Every bad [[microvm]] table is one located error; goodHost takes lines 1-6, the table starts
// at line 8.
func TestMicroVMsInvalid(t *testing.T) {
	const vm = `
[[microvm]]
name = "dev"
vcpu = 2
memory_mib = 1024
ssh_port = 2222
`
	for _, tc := range []struct {
		name, toml, want string
	}{
		{"unknown key", strings.Replace(vm, "vcpu", "vcpus", 1), "host.toml:10: microvm.vcpus: unknown key"},
		{"missing name", strings.Replace(vm, `name = "dev"`, "", 1), "host.toml:8: microvm[0].name: missing"},
		{"bad name", strings.Replace(vm, `"dev"`, `"Dev VM"`, 1), `host.toml:9: microvm[0].name: "Dev VM" must match`},
		{"host's own name", strings.Replace(vm, `"dev"`, `"h"`, 1), `host.toml:9: microvm[0].name: "h" is the host's own name`},
		{"duplicate name", vm + strings.Replace(vm, "2222", "2223", 1), `host.toml:15: microvm[1].name: "dev" is the name of another microvm`},
		{"zero vcpu", strings.Replace(vm, "vcpu = 2", "vcpu = 0", 1), "host.toml:10: microvm[0].vcpu: 0 virtual CPUs: must be 1-64"},
		{"tiny memory", strings.Replace(vm, "1024", "64", 1), "host.toml:11: microvm[0].memory_mib: 64 MiB: must be 128-"},
		{"no ssh port", strings.Replace(vm, "ssh_port = 2222", "", 1), "host.toml:8: microvm[0].ssh_port: missing"},
		{"privileged ssh port", strings.Replace(vm, "2222", "22", 1), "host.toml:12: microvm[0].ssh_port: 22 is a privileged port"},
		{"ssh ports collide", vm + strings.Replace(vm, `"dev"`, `"dev2"`, 1), `host.toml:18: microvm[1].ssh_port: host port 2222 is also microvm "dev"'s ssh_port`},
		{"forward collides with ssh", vm + `ports = [{ host = 2222, guest = 80 }]`, `host.toml:13: microvm[0].ports: host port 2222 is also microvm "dev"'s ssh_port`},
		{"forward collides across vms", vm + "ports = [{ host = 8080, guest = 80 }]\n" + strings.Replace(strings.Replace(vm, `"dev"`, `"web"`, 1), "2222", "2223", 1) + `ports = [{ host = 8080, guest = 8080 }]`,
			`microvm[1].ports: host port 8080 is also microvm "dev"'s ports[0]`},
		{"guest port twice", vm + `ports = [{ host = 8080, guest = 22 }]`, "microvm[0].ports: ports[0].guest 22 is already forwarded"},
		{"relative share", vm + `shares = [{ source = "src", mount = "/src" }]`, `host.toml:13: microvm[0].shares: shares[0].source "src" must be an absolute, clean path`},
		{"share over store", vm + `shares = [{ source = "/src", mount = "/nix/store" }]`, `shares[0].mount "/nix/store" must be an absolute, clean path in the guest (not / or /nix/store)`},
		{"share on the disk's mount", vm + "disk_mib = 100\n" + `shares = [{ source = "/src", mount = "/data" }]`, `shares[0].mount "/data" is mounted twice`},
		{"negative disk", vm + "disk_mib = -1", "host.toml:13: microvm[0].disk_mib: must not be negative"},
		{"nested microvm", vm + `features = ["microvm"]`, `microvm[0].features: "microvm" inside a guest`},
		{"bad user", vm + `user = "Dev"`, `microvm[0].user: "Dev" must be root or match`},
		{"wrong type", strings.Replace(vm, "vcpu = 2", `vcpu = "two"`, 1), "host.toml:10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loadFails(t, map[string]string{"h/host.toml": goodHost + tc.toml}, tc.want)
		})
	}
}

// Guests without the microvm feature on their host run nowhere: one located error.
func TestCheckMicroVMFeature(t *testing.T) {
	dir := writeFleet(t, map[string]string{"h/host.toml": goodHost + "\n[[microvm]]\nname = \"dev\"\nssh_port = 2222\n"})
	f, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	errs := f.CheckMicroVMFeature()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `host.toml:8: microvm: [[microvm]] guests need feature "microvm"`) {
		t.Errorf("CheckMicroVMFeature = %v", errs)
	}
}
