package installer

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
)

// loopDevice attaches a fresh backing file of size bytes to a free loop device.
func loopDevice(t *testing.T, size int64) (dev, backing string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("loop devices need root")
	}
	if _, err := exec.LookPath("losetup"); err != nil {
		if _, err := os.Stat("/usr/sbin/losetup"); err != nil {
			t.Skip("losetup not installed")
		}
	}
	backing = filepath.Join(t.TempDir(), "stick.img")
	if err := os.WriteFile(backing, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(backing, size); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "--find", "--show", backing).CombinedOutput()
	if err != nil {
		t.Skipf("no loop device available: %v: %s", err, out)
	}
	dev = strings.TrimSpace(string(out))
	t.Cleanup(func() {
		if out, err := exec.Command("losetup", "-d", dev).CombinedOutput(); err != nil {
			t.Errorf("losetup -d %s: %v: %s", dev, err, out)
		}
	})
	return dev, backing
}

func image(t *testing.T, size int) (string, string) {
	t.Helper()
	data := make([]byte, size)
	rand.Read(data)
	copy(data, "HUB-INSTALLER test image\n")
	p := filepath.Join(t.TempDir(), "installer.iso")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return p, hex.EncodeToString(sum[:])
}

// A loop device is what a stick looks like to the kernel, minus the removable flag: the real
// lsblk sees it as non-removable, so it is refused without -force and written with it.
func TestWriteImageToLoopDevice(t *testing.T) {
	dev, backing := loopDevice(t, 64<<20)
	img, sum := image(t, 9<<20+12345) // not a multiple of the chunk size
	local := (&command.Executor{}).Local()
	lsblk := func(ctx context.Context) ([]Device, error) { return ListDevices(ctx, local) }
	var prompt bytes.Buffer
	req := WriteRequest{Image: img, Device: dev, In: strings.NewReader(""), Out: &prompt}

	for _, tc := range []struct {
		name string
		mod  func(*WriteRequest)
		want string
	}{
		{"not removable", func(r *WriteRequest) {}, "refusing to write to " + dev + ": not a removable disk; pass -force if you are sure it is the right one"},
		{"no terminal", func(r *WriteRequest) { r.Force = true }, errNoTerminal.Error()},
		{"wrong name typed", func(r *WriteRequest) {
			r.Force, r.Interactive, r.In = true, true, strings.NewReader("sda\n")
		}, `aborted: typed "sda", not "` + filepath.Base(dev) + `"; nothing was written`},
		{"image too large", func(r *WriteRequest) {
			big := filepath.Join(t.TempDir(), "big.iso")
			os.WriteFile(big, nil, 0o644)
			os.Truncate(big, 65<<20)
			r.Image, r.Force, r.Yes = big, true, true
		}, "refusing to write to " + dev + ": the device has 67108864 bytes, the image needs 68157440"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := req
			tc.mod(&r)
			_, _, err := WriteImage(t.Context(), lsblk, r)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v\nwant  %s", err, tc.want)
			}
			if st, _ := os.ReadFile(backing); !bytes.Equal(st[:4096], make([]byte, 4096)) {
				t.Fatal("a refused write changed the device")
			}
		})
	}

	t.Run("typed and written", func(t *testing.T) {
		r := req
		r.Force, r.Interactive, r.In = true, true, strings.NewReader(filepath.Base(dev)+"\n")
		var calls int
		var last int64
		r.Progress = func(done, total int64) { calls, last = calls+1, done }
		d, res, err := WriteImage(t.Context(), lsblk, r)
		if err != nil {
			t.Fatal(err)
		}
		if d.Path != dev || res.SHA256 != sum || res.Bytes != 9<<20+12345 {
			t.Errorf("device %s, result %+v, want sha256 %s", d.Path, res, sum)
		}
		// Three chunks written, three read back.
		if calls != 6 || last != res.Bytes {
			t.Errorf("progress called %d times, last %d", calls, last)
		}
		v, err := Verify(t.Context(), dev, res.Bytes, nil)
		if err != nil || v.SHA256 != sum {
			t.Errorf("iso:verify = %+v, %v", v, err)
		}
		data, _ := os.ReadFile(backing)
		if got := sha256.Sum256(data[:res.Bytes]); hex.EncodeToString(got[:]) != sum {
			t.Error("the backing file does not hold the image")
		}
	})

	t.Run("verify detects a changed device", func(t *testing.T) {
		f, err := os.OpenFile(dev, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteAt([]byte("X"), 5<<20)
		f.Sync()
		f.Close()
		st, _ := os.Stat(img)
		v, err := Verify(t.Context(), dev, st.Size(), nil)
		if err != nil || v.SHA256 == sum {
			t.Errorf("verify after corruption = %+v, %v: the change went unnoticed", v, err)
		}
	})
}

// The running system's own disk is refused from the real lsblk, before anything is opened.
func TestWriteImageRefusesTheSystemDisk(t *testing.T) {
	if _, err := exec.LookPath("lsblk"); err != nil {
		t.Skip("lsblk not installed")
	}
	local := (&command.Executor{}).Local()
	devs, err := ListDevices(t.Context(), local)
	if err != nil {
		t.Fatal(err)
	}
	var sys Device
	for _, d := range devs {
		if len(d.systemMounts()) > 0 && d.wholeDisk() {
			sys = d
			break
		}
	}
	if sys.Path == "" {
		t.Skip("/ is not on a block device lsblk lists (a container's overlay)")
	}
	img, _ := image(t, 4096)
	_, _, err = WriteImage(t.Context(), func(context.Context) ([]Device, error) { return devs, nil },
		WriteRequest{Image: img, Device: sys.Path, Force: true, Yes: true})
	if err == nil || !strings.HasPrefix(err.Error(), "refusing to write to "+sys.Path+": it holds the running system (") {
		t.Fatalf("writing to the system disk %s: %v", sys.Path, err)
	}
}
