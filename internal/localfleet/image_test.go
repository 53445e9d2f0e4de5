package localfleet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestImageName(t *testing.T) {
	base := defaultImageSpec()
	tests := []struct {
		name   string
		change func(*imageSpec)
		same   bool
	}{
		{"the same spec", func(*imageSpec) {}, true},
		{"another package", func(s *imageSpec) { s.Packages = append(s.Packages, "curl") }, false},
		{"one package less", func(s *imageSpec) { s.Packages = s.Packages[1:] }, false},
		{"another suite", func(s *imageSpec) { s.Suite = "trixie" }, false},
		{"another layout", func(s *imageSpec) { s.Layout++ }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := defaultImageSpec()
			s.Packages = append([]string(nil), s.Packages...)
			tt.change(&s)
			if got := s.name() == base.name(); got != tt.same {
				t.Errorf("%s vs %s: same = %t, want %t", s.name(), base.name(), got, tt.same)
			}
		})
	}
	if !strings.HasPrefix(base.name(), "rootfs-") || len(base.name()) != len("rootfs-")+12 {
		t.Errorf("name %q", base.name())
	}
}

// fakeTree stands in for debootstrap: the parts of a Debian tree customize touches.
func fakeTree(dir string) error {
	for _, d := range []string{"etc/systemd/system/multi-user.target.wants", "etc/ssh", "var/lib/dbus", "root"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	for f, content := range map[string]string{"etc/hostname": "buildmachine\n", "etc/machine-id": "0123\n",
		"etc/ssh/ssh_host_ed25519_key": "secret", "root/.bashrc": "eval $(dircolors)\n"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(content), 0o600); err != nil {
			return err
		}
	}
	return nil
}

func TestEnsureImage(t *testing.T) {
	spec := defaultImageSpec()
	t.Run("builds once, customizes, then takes it from the cache", func(t *testing.T) {
		cache := t.TempDir()
		calls := 0
		build := func(ctx context.Context, s imageSpec, mirror, dir string, log, out io.Writer) error {
			calls++
			if mirror != "http://mirror.test/debian" {
				t.Errorf("mirror %q", mirror)
			}
			return fakeTree(dir)
		}
		var out bytes.Buffer
		o := ImageOptions{CacheDir: cache, Mirror: "http://mirror.test/debian", Out: &out}
		dir, err := ensureImage(t.Context(), o, spec, build)
		if err != nil {
			t.Fatal(err)
		}
		if dir != filepath.Join(cache, spec.name()) || !strings.Contains(out.String(), "building "+dir) {
			t.Errorf("dir %s, progress %q", dir, out.String())
		}
		for link, want := range map[string]string{"etc/systemd/system": "/run/current-system/etc/systemd/system", "etc/hostname": "/run/current-system/etc/hostname"} {
			if got, err := os.Readlink(filepath.Join(dir, link)); got != want {
				t.Errorf("%s -> %q (%v), want %s", link, got, err, want)
			}
		}
		if b, err := os.ReadFile(filepath.Join(dir, "etc/machine-id")); err != nil || len(b) != 0 {
			t.Errorf("machine-id %q (%v), want empty", b, err)
		}
		for _, gone := range []string{"etc/ssh/ssh_host_ed25519_key", "root/.bashrc", "var/lib/dbus/machine-id"} {
			if _, err := os.Lstat(filepath.Join(dir, gone)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s left in the image (%v)", gone, err)
			}
		}
		again, err := ensureImage(t.Context(), o, spec, build)
		if err != nil || again != dir || calls != 1 {
			t.Errorf("second call: %s, %v, %d builds", again, err, calls)
		}
		if got, ok := CachedImage(cache); !ok || got != dir {
			t.Errorf("CachedImage = %s, %t", got, ok)
		}
	})

	t.Run("a failed or crashed build leaves nothing under the image's name", func(t *testing.T) {
		cache := t.TempDir()
		crashed := filepath.Join(cache, ".build-"+spec.name()+"-99999")
		if err := fakeTree(crashed); err != nil {
			t.Fatal(err)
		}
		failing := func(ctx context.Context, s imageSpec, mirror, dir string, log, out io.Writer) error {
			fakeTree(dir)
			return errors.New("E: Couldn't download packages")
		}
		_, err := ensureImage(t.Context(), ImageOptions{CacheDir: cache}, spec, failing)
		if err == nil || !strings.Contains(err.Error(), "Couldn't download") {
			t.Fatalf("err = %v", err)
		}
		left, _ := filepath.Glob(filepath.Join(cache, "*"+spec.name()))
		left2, _ := filepath.Glob(filepath.Join(cache, ".build-*"))
		if len(left)+len(left2) > 0 {
			t.Errorf("left behind: %v %v", left, left2)
		}
		if _, ok := CachedImage(cache); ok {
			t.Error("a failed build counts as cached")
		}
	})
}

// TestEnsureImageRace runs two processes (this test binary again) that build the same image at
// once, each with a builder that takes a second: one builds, the other waits for the lock and
// then finds the image.
func TestEnsureImageRace(t *testing.T) {
	if cache := os.Getenv("LOCALFLEET_TEST_IMAGE_CACHE"); cache != "" {
		build := func(ctx context.Context, s imageSpec, mirror, dir string, log, out io.Writer) error {
			f, err := os.OpenFile(filepath.Join(cache, "builds"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
			if err != nil {
				return err
			}
			fmt.Fprintln(f, os.Getpid())
			f.Close()
			time.Sleep(time.Second)
			return fakeTree(dir)
		}
		dir, err := ensureImage(context.Background(), ImageOptions{CacheDir: cache, Out: os.Stdout}, defaultImageSpec(), build)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("image:", dir)
		return
	}
	cache := t.TempDir()
	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	for i := range outs {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^TestEnsureImageRace$", "-test.v")
			cmd.Env = append(os.Environ(), "LOCALFLEET_TEST_IMAGE_CACHE="+cache)
			outs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	wg.Wait()
	want := "image: " + filepath.Join(cache, defaultImageSpec().name())
	waited := 0
	for i := range outs {
		if errs[i] != nil || !strings.Contains(string(outs[i]), want) {
			t.Errorf("process %d: %v\n%s", i, errs[i], outs[i])
		}
		if strings.Contains(string(outs[i]), "waiting for another process") {
			waited++
		}
	}
	b, _ := os.ReadFile(filepath.Join(cache, "builds"))
	if n := len(strings.Fields(string(b))); n != 1 || waited != 1 {
		t.Errorf("%d builds (pids %q), %d processes waited; want 1 and 1", n, b, waited)
	}
}

func TestProgress(t *testing.T) {
	in := strings.Join([]string{
		"I: Retrieving InRelease", "I: Checking Release signature", "I: Retrieving Packages",
		"I: Retrieving adduser 3.134", "I: Validating adduser 3.134", "I: Extracting base-files...",
		"I: Extracting bash...", "I: Unpacking required packages...", "I: Unpacking bash...",
		"I: Configuring required packages...", "I: Configuring bash...", "I: Unpacking the base system...",
		"I: Configuring nix-bin...", "W: Failure trying to run: chroot", "I: Base system installed successfully.",
	}, "\n") + "\n"
	var log, out bytes.Buffer
	tail := progress(strings.NewReader(in), &log, &out)
	if log.String() != in {
		t.Errorf("log is not the whole output:\n%s", log.String())
	}
	var phases []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		l = strings.TrimPrefix(l, "localfleet image: ")
		phases = append(phases, l[:strings.Index(l, " (")])
	}
	if got, want := strings.Join(phases, ", "), "downloading packages, extracting, unpacking, configuring packages"; got != want {
		t.Errorf("phases %q, want %q", got, want)
	}
	if len(tail) != 10 || tail[9] != "I: Base system installed successfully." {
		t.Errorf("tail %q", tail)
	}
}
