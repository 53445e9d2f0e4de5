package installer

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// partitionedLoop attaches a fresh backing file to a loop device that scans partitions, as a
// disk does (the wizard's partitions appear as <dev>p1...).
func partitionedLoop(t *testing.T, size int64) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("loop devices and mounts need root")
	}
	backing := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(backing, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(backing, size); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "--find", "--show", "--partscan", backing).CombinedOutput()
	if err != nil {
		t.Skipf("no loop device available: %v: %s", err, out)
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() {
		if out, err := exec.Command("losetup", "-d", dev).CombinedOutput(); err != nil {
			t.Errorf("losetup -d %s: %v: %s", dev, err, out)
		}
	})
	return dev
}

// The wizard for real, on a loop device: it partitions and formats with p510's layout (the one
// its image carries; a small ESP and no swap so the disk is small and nothing is swapped on),
// mounts the new system, installs the host key, and runs nixos-install, here a stand-in that
// records its arguments and what /etc/ssh holds at that moment. The file systems then carry the
// labels and types p510's hardware-configuration.nix mounts, read back from their superblocks.
func TestWizardInstallsOnALoopDevice(t *testing.T) {
	for _, tool := range []string{"losetup", "wipefs", "parted", "mkfs.fat", "mkfs.ext4", "blkid", "mount", "umount", "ssh-keygen", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	repo, _ := repoHosts(t)
	var layout string
	if err := nixEval(t, &layout, "testdata/layout.nix", "--arg", "repo", repo, "--argstr", "host", "p510"); err != nil {
		t.Fatal(err)
	}
	var hw map[string]hardwareFS
	if err := nixEval(t, &hw, "testdata/hardware.nix", "--arg", "repo", repo, "--argstr", "host", "p510"); err != nil {
		t.Fatal(err)
	}
	key, pub := hostKey(t, "ed25519", "")
	// The repository's p510 key is a demo key whose private half is gone: this key stands in.
	layout += "ESP_MIB='64'\nSWAP_MIB='0'\nHOST_KEY_PUB='" + pub + " p510'\n"
	dev := partitionedLoop(t, 256<<20)

	dir := t.TempDir()
	mnt := filepath.Join(dir, "mnt")
	bin := filepath.Join(dir, "bin")
	record := filepath.Join(dir, "nixos-install.log")
	os.MkdirAll(mnt, 0o755)
	os.MkdirAll(bin, 0o755)
	fake := `#!/bin/sh
set -e
printf '%s\n' "$*" > "$HUB_TEST_RECORD"
while [ $# -gt 0 ]; do [ "$1" = --root ] && root=$2; shift; done
stat -c '%a %U %n' "$root"/etc/ssh/* >> "$HUB_TEST_RECORD"
`
	if err := os.WriteFile(filepath.Join(bin, "nixos-install"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("udevadm"); err != nil {
		// No udev here (a container): there are no events to wait for.
		os.WriteFile(filepath.Join(bin, "udevadm"), []byte("#!/bin/sh\nexit 0\n"), 0o755)
	}
	if fs, _ := os.ReadFile("/proc/filesystems"); !bytes.Contains(fs, []byte("\tvfat\n")) {
		// A kernel without vfat (some VMs' and CI sandboxes'): the ESP is still partitioned,
		// formatted and checked below from its superblock, but not mounted; /boot stays a
		// directory of the new root. Every other mount is the real one.
		realMount, _ := exec.LookPath("mount")
		t.Logf("this kernel has no vfat: the ESP is formatted but not mounted")
		wrapper := "#!/bin/sh\neval dev=\\${$(($# - 1))}\n" +
			"if [ \"$(blkid -p -o value -s TYPE \"$dev\")\" = vfat ]; then exit 0; fi\n" +
			"exec " + realMount + " \"$@\"\n"
		os.WriteFile(filepath.Join(bin, "mount"), []byte(wrapper), 0o755)
	}
	t.Cleanup(func() {
		for _, m := range []string{filepath.Join(mnt, "boot"), mnt} {
			exec.Command("umount", m).Run()
		}
	})

	out, err := runWizard(t, layout, "", []string{"HUB_INSTALL_DRY_RUN=0", "HUB_INSTALL_ROOT=" + mnt, "HUB_TEST_RECORD=" + record,
		"PATH=" + bin + ":" + os.Getenv("PATH")}, "--disk", dev, "--host-key", key, "--yes")
	if err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}

	for part, mp := range map[string]string{dev + "p1": "/boot", dev + "p2": "/"} {
		got := blkid(t, part)
		label, _ := strings.CutPrefix(hw[mp].Device, "/dev/disk/by-label/")
		if got["LABEL"] != label || got["TYPE"] != hw[mp].FsType {
			t.Errorf("%s (mounted at %s) is %s %q; hosts/p510/hardware-configuration.nix mounts %s (%s)", part, mp, got["TYPE"], got["LABEL"], hw[mp].Device, hw[mp].FsType)
		}
	}

	sshDir := filepath.Join(mnt, "etc", "ssh")
	want, _ := os.ReadFile(key)
	if got, err := os.ReadFile(filepath.Join(sshDir, "ssh_host_ed25519_key")); err != nil || !bytes.Equal(got, want) {
		t.Errorf("the installed host key differs from %s (%v)", key, err)
	}
	if got, _ := os.ReadFile(filepath.Join(sshDir, "ssh_host_ed25519_key.pub")); strings.TrimSpace(string(got)) != pub {
		t.Errorf("installed public key %q, want %q", got, pub)
	}
	rec, err := os.ReadFile(record)
	if err != nil {
		t.Fatalf("nixos-install did not run: %v\n%s", err, out)
	}
	wantRec := "--root " + mnt + " --flake /flake#p510 --no-root-passwd --no-write-lock-file\n" +
		"600 root " + sshDir + "/ssh_host_ed25519_key\n" +
		"644 root " + sshDir + "/ssh_host_ed25519_key.pub\n"
	if string(rec) != wantRec {
		t.Errorf("nixos-install saw:\n%s\nwant (the key in place before it runs):\n%s", rec, wantRec)
	}
}

// blkid reads a file system's TYPE and LABEL from its superblock.
func blkid(t *testing.T, dev string) map[string]string {
	t.Helper()
	out, err := exec.Command("blkid", "-p", "-o", "export", dev).Output()
	if err != nil {
		t.Fatalf("blkid %s: %v", dev, err)
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}
