package hwconfig

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
)

const detected = "testdata/show-hardware-config-amd-nvme.nix"

var committed = filepath.Join("..", "..", "hosts", "p620", "hardware-configuration.nix")

func needNixInstantiate(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate not installed (Debian package nix-bin)")
	}
}

// p620's committed file against a real nixos-generate-config output of an AMD NVMe machine:
// the same modules and microcode, devices by label against by uuid, a swap partition the file
// lacks. Told that the names are the same devices, only the swap remains.
func TestCompareCommittedWithDetected(t *testing.T) {
	needNixInstantiate(t)
	hw, err := Read(t.Context(), (&command.Executor{}).Local(), committed, detected)
	if err != nil {
		t.Fatal(err)
	}
	c, d := hw[0], hw[1]
	if strings.Join(d.InitrdAvailable, " ") != "nvme xhci_pci ahci usbhid usb_storage sd_mod" || strings.Join(d.Microcode, ",") != "amd" ||
		d.HostPlatform != "x86_64-linux" || d.FileSystems["/boot"].FSType != "vfat" || len(d.Swap) != 1 {
		t.Errorf("detected: %+v", d)
	}
	var b bytes.Buffer
	Write(&b, "p620", "hosts/p620/hardware-configuration.nix", Compare(c, d, nil))
	b.WriteString("-- with the devices resolved on the host:\n")
	resolved := map[string]string{
		"/dev/disk/by-label/nixos": "/dev/nvme0n1p2", "/dev/disk/by-uuid/cca9e208-4d2a-4a8e-8b87-0c17d0a96475": "/dev/nvme0n1p2",
		"/dev/disk/by-label/boot": "/dev/nvme0n1p1", "/dev/disk/by-uuid/E961-AFB0": "/dev/nvme0n1p1",
	}
	Write(&b, "p620", "hosts/p620/hardware-configuration.nix", Compare(c, d, resolved))
	b.WriteString("-- a host whose board was swapped for an Intel one:\n")
	intel := d
	intel.KernelModules, intel.Microcode, intel.InitrdAvailable = []string{"kvm-intel"}, []string{"intel"}, []string{"xhci_pci", "ahci", "nvme", "thunderbolt"}
	Write(&b, "p620", "hosts/p620/hardware-configuration.nix", Compare(c, intel, resolved))
	b.WriteString("-- the file against itself:\n")
	Write(&b, "p620", "hosts/p620/hardware-configuration.nix", Compare(c, c, nil))
	goldenfile.Check(t, filepath.Join("testdata", "compare.golden"), b.Bytes())
}

func TestReadErrorNamesTheFile(t *testing.T) {
	needNixInstantiate(t)
	bad := filepath.Join(t.TempDir(), "hw.nix")
	os.WriteFile(bad, []byte("{ lib, ... }: { fileSystems.\"/\".device = lib.nope; }\n"), 0o644)
	if _, err := Read(t.Context(), (&command.Executor{}).Local(), bad); err == nil || !strings.Contains(err.Error(), "read "+bad+": error:") {
		t.Errorf("Read = %v", err)
	}
}

// The real-host path on a local fleet host: a stand-in nixos-generate-config on the host's PATH
// prints the recorded output; the hub runs it over ssh, resolves the devices there and compares.
func TestDetectOnTheLocalFleet(t *testing.T) {
	needNixInstantiate(t)
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620"}})
	inv := fleettest.Inventory(t, lf)
	lh, err := lf.Host("p620")
	if err != nil {
		t.Fatal(err)
	}
	recorded, err := filepath.Abs(detected)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(lh.RunDir(), "localfleet", "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	stand := "#!/bin/sh\n# stand-in: the recorded output of a real nixos-generate-config\n[ \"$1\" = --show-hardware-config ] || { echo \"usage: $0 --show-hardware-config\" >&2; exit 1; }\nexec cat " + recorded + "\n"
	if err := os.WriteFile(filepath.Join(bin, "nixos-generate-config"), []byte(stand), 0o755); err != nil {
		t.Fatal(err)
	}
	e := &command.Executor{}
	defer e.Close()
	h, _ := inv.Host("p620")
	remote := e.SSH(h.Name, h.SSH)
	ctx := context.Background()
	file, err := Detect(ctx, remote, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hw, err := Read(ctx, e.Local(), committed, file)
	if err != nil {
		t.Fatal(err)
	}
	resolved, err := Resolve(ctx, remote, append(hw[0].Devices(), hw[1].Devices()...))
	if err != nil {
		t.Fatal(err)
	}
	diffs := Compare(hw[0], hw[1], resolved)
	var fields []string
	for _, d := range diffs {
		fields = append(fields, d.Field)
	}
	// The host has none of these disks: every device differs, and the swap.
	if strings.Join(fields, ",") != `fileSystems."/".device,fileSystems."/boot".device,swapDevices` {
		t.Errorf("differences %v", diffs)
	}
}
