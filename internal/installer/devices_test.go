package installer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/goldenfile"
)

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), []byte(got))
}

func loadDevices(t *testing.T, name string) []Device {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	devs, err := parseLsblk(data)
	if err != nil {
		t.Fatal(err)
	}
	return devs
}

func TestDevicesTables(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"lsblk-workstation.json", "devices-workstation.txt"},
		{"lsblk-old-util-linux.json", "devices-old-util-linux.txt"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			devs := loadDevices(t, tc.in)
			var b bytes.Buffer
			b.WriteString("# candidates\n")
			if err := WriteDevices(&b, Candidates(devs)); err != nil {
				t.Fatal(err)
			}
			b.WriteString("# all\n")
			if err := WriteDevices(&b, devs); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.out, b.String())
		})
	}
}

func TestParseLsblkRejectsGarbage(t *testing.T) {
	for _, in := range []string{`{`, `{"blockdevices":[{"rm":"maybe"}]}`, `{"blockdevices":[{"size":"big"}]}`} {
		if _, err := parseLsblk([]byte(in)); err == nil {
			t.Errorf("ParseLsblk(%s) accepted it", in)
		}
	}
}

// Each refusal, with its exact message; -force only lifts the removable rule.
func TestCheckTarget(t *testing.T) {
	devs := loadDevices(t, "lsblk-workstation.json")
	const img = 1 << 30 // 1 GiB
	for _, tc := range []struct {
		name, path string
		size       int64
		force      bool
		want       string // empty: allowed
	}{
		{"usb stick", "/dev/sdc", img, false, ""},
		{"by name", "/dev/sdc", img, false, ""},
		{"unknown", "/dev/sdz", img, false, "refusing to write to /dev/sdz: not a block device lsblk knows (iso:devices lists the candidates)"},
		{"partition", "/dev/sdc1", img, false, "refusing to write to /dev/sdc1: it is a part, not a whole disk"},
		{"system disk", "/dev/nvme0n1", img, false, "refusing to write to /dev/nvme0n1: it holds the running system (/boot, /nix/store, /)"},
		{"system disk forced", "/dev/nvme0n1", img, true, "refusing to write to /dev/nvme0n1: it holds the running system (/boot, /nix/store, /)"},
		{"swap below a stick", "/dev/sde", img, true, "refusing to write to /dev/sde: it holds the running system ([SWAP])"},
		{"mounted partition", "/dev/sdb", img, false, "refusing to write to /dev/sdb: it is mounted (/dev/sdb1 on /run/media/user/STICK); unmount it first"},
		{"mounted forced", "/dev/sda", img, true, "refusing to write to /dev/sda: it is mounted (/dev/sda1 on /data); unmount it first"},
		{"non-removable", "/dev/loop0", 1 << 20, false, "refusing to write to /dev/loop0: not a removable disk; pass -force if you are sure it is the right one"},
		{"non-removable forced", "/dev/loop0", 1 << 20, true, ""},
		{"hotplug usb ssd", "/dev/sdd", img, false, ""},
		{"too small", "/dev/mmcblk0", img, false, "refusing to write to /dev/mmcblk0: the device has 1015808000 bytes, the image needs 1073741824"},
		{"too small forced", "/dev/mmcblk0", img, true, "refusing to write to /dev/mmcblk0: the device has 1015808000 bytes, the image needs 1073741824"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := checkTarget(devs, tc.path, tc.size, tc.force)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == "" && d.Path != tc.path:
				t.Fatalf("device = %+v", d)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Fatalf("err = %v\nwant  %s", err, tc.want)
			}
		})
	}
}

func TestConfirm(t *testing.T) {
	d := Device{Name: "sdc", Path: "/dev/sdc", Size: 15376318464, Model: "DataTraveler 3.0", Tran: "usb"}
	for _, tc := range []struct {
		name        string
		input       string
		interactive bool
		yes         bool
		want        string
	}{
		{"typed", "sdc\n", true, false, ""},
		{"typed with spaces", "  sdc \n", true, false, ""},
		{"yes", "", false, true, ""},
		{"no terminal", "sdc\n", false, false, errNoTerminal.Error()},
		{"wrong name", "sdb\n", true, false, `aborted: typed "sdb", not "sdc"; nothing was written`},
		{"path typed", "/dev/sdc\n", true, false, `aborted: typed "/dev/sdc", not "sdc"; nothing was written`},
		{"yes typed", "yes\n", true, false, `aborted: typed "yes", not "sdc"; nothing was written`},
		{"eof", "", true, false, "aborted: no answer (EOF); nothing was written"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := confirm(strings.NewReader(tc.input), &out, tc.interactive, tc.yes, d, "/nix/store/x-installer-p620/iso/installer-p620.iso")
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || err.Error() != tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if tc.name == "typed" {
				golden(t, "confirm-prompt.txt", out.String())
			}
			if tc.name == "no terminal" && !errors.Is(err, errNoTerminal) {
				t.Error("not ErrNoTerminal")
			}
		})
	}
}
