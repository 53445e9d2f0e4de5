//go:build mage

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dustin/go-humanize"
	"github.com/magefile/mage/mg"
	"golang.org/x/term"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/installer"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/parallel"
	"github.com/nixos-hub/hub/internal/runenv"
)

// Iso builds per-host installer images and writes them to USB sticks without a chance of
// erasing the wrong disk.
type Iso mg.Namespace

// installersDir holds one GC root per built installer.
const installersDir = ".hub/installers"

// Build builds HOST's installer image (-flake REF, default the inventory's flake, built with the machine's nix configuration and binary caches; -flake=nix/installer-demo builds an offline demo image) and prints its path, size and sha256.
func (Iso) Build(ctx context.Context, host string, flake *string) error {
	env := runEnv(nil, nil)
	ctx, stop := interruptible(ctx)
	defer stop()
	f, h, err := env.Host(host)
	if err != nil {
		return err
	}
	ref, settings := installerFlake(env, f, flake)
	img, err := installer.Build(ctx, env.Executor().Local(), installer.BuildOptions{Flake: ref, Host: h.Name, System: h.System,
		Dir: installersDir, Nix: settings})
	if err != nil {
		return err
	}
	if img.DryRun {
		fmt.Printf("dry run: installer %s not built\n", img.Host)
		return nil
	}
	fmt.Printf("installer %s\n  image  %s\n  size   %d bytes\n  sha256 %s\n  root   %s\n", img.Host, img.Path, img.Size, img.SHA256, img.Link)
	return nil
}

// BuildAll builds the installer image of every host of the SELECTION (the old build-all-live), -limit N at once (default 2: each build is a whole system), keeping going past a failed host, and ends with a table of each host's size, sha256 and image path; -flake REF as for iso:build (-flake=nix/installer-demo: offline demo images); -json for machines.
func (Iso) BuildAll(ctx context.Context, selection string, flake *string, limit *int, json *bool) error {
	env := runEnv(json, nil)
	return onHosts(ctx, env, selection, func(ctx context.Context, f *inventory.Fleet, hosts []*inventory.Host, e *command.Executor) error {
		ref, settings := installerFlake(env, f, flake)
		return fanOutHosts(ctx, env, hosts, e, parallel.Options{Name: "iso-build-all", Limit: flag(limit, 2)}, func(ctx context.Context, t *parallel.Task, h *inventory.Host, e *command.Executor) error {
			t.Phase("build")
			img, err := installer.Build(ctx, e.Local(), installer.BuildOptions{Flake: ref, Host: h.Name, System: h.System, Dir: installersDir, Nix: settings})
			if err != nil {
				return err
			}
			if img.DryRun {
				t.Set("image", "dry run: not built")
				return nil
			}
			t.Set("size", humanize.Bytes(uint64(img.Size)))
			t.Set("sha256", img.SHA256)
			t.Set("image", img.Path)
			return nil
		})
	})
}

// installerFlake is the flake iso:build and iso:buildAll build from (-flake, default the
// inventory's; a directory becomes a path: reference) and the nix settings it takes.
func installerFlake(env runenv.Env, f *inventory.Fleet, flake *string) (string, nix.Settings) {
	ref := flag(flake, f.Flake)
	settings := installer.Settings(ref, env.Nix)
	if st, err := os.Stat(ref); err == nil && st.IsDir() {
		ref = "path:" + abs(ref)
	}
	return ref, settings
}

// List shows the installers built so far: host, size, sha256 and image path.
func (Iso) List(ctx context.Context) error {
	imgs, err := installer.List(ctx, installersDir)
	if err != nil {
		return err
	}
	if len(imgs) == 0 {
		fmt.Println("no installers built (iso:build HOST)")
		return nil
	}
	return installer.WriteList(os.Stdout, imgs)
}

// Devices lists the removable disks an installer can be written to, with size, model and transport (-all for every disk).
func (Iso) Devices(ctx context.Context, all *bool) error {
	devs, err := installer.ListDevices(ctx, (&command.Executor{}).Local())
	if err != nil {
		return err
	}
	if !flag(all, false) {
		devs = installer.Candidates(devs)
	}
	return installer.WriteDevices(os.Stdout, devs)
}

// Write writes IMAGE (a file, or a host name for its built installer) to DEVICE after typing its name (-yes without a terminal); refuses the system disk, mounted or too small devices and, without -force, non-removable disks; verifies by reading back.
func (Iso) Write(ctx context.Context, image, device string, force *bool, yes *bool) error {
	ctx, stop := interruptible(ctx)
	defer stop()
	path, err := imagePath(ctx, image)
	if err != nil {
		return err
	}
	local := (&command.Executor{}).Local()
	tty := term.IsTerminal(int(os.Stdin.Fd()))
	d, res, err := installer.WriteImage(ctx, func(ctx context.Context) ([]installer.Device, error) { return installer.ListDevices(ctx, local) },
		installer.WriteRequest{Image: path, Device: device, Force: flag(force, false), Yes: flag(yes, false),
			Interactive: tty, In: os.Stdin, Out: os.Stdout, Progress: installer.ProgressPrinter(os.Stdout, "write+verify", term.IsTerminal(int(os.Stdout.Fd())))})
	if err != nil {
		return err
	}
	fmt.Printf("%s written to %s and read back identical: %d bytes, sha256 %s, %s\n", filepath.Base(path), d.Path, res.Bytes, res.SHA256, res.Duration.Round(1e7))
	return nil
}

// Verify compares DEVICE's first bytes with IMAGE (a file or a host name) by sha256.
func (Iso) Verify(ctx context.Context, image, device string) error {
	path, err := imagePath(ctx, image)
	if err != nil {
		return err
	}
	want, err := installer.FileSHA256(ctx, path)
	if err != nil {
		return err
	}
	got, err := installer.Verify(ctx, device, want.Bytes, nil)
	if err != nil {
		return err
	}
	if got.SHA256 != want.SHA256 {
		return fmt.Errorf("%s does not hold %s: sha256 %s, image %s", device, path, got.SHA256, want.SHA256)
	}
	fmt.Printf("%s holds %s: %d bytes, sha256 %s\n", device, filepath.Base(path), got.Bytes, got.SHA256)
	return nil
}

// Clean drops the built installers' GC roots; the next nix-collect-garbage frees their space.
func (Iso) Clean(ctx context.Context) error {
	removed, err := installer.Clean(installersDir)
	if err != nil {
		return err
	}
	fmt.Printf("removed %d installer roots %v; run nix-collect-garbage to free the store space\n", len(removed), removed)
	return nil
}

// imagePath accepts an image file or the name of a host whose installer was built.
func imagePath(ctx context.Context, image string) (string, error) {
	if st, err := os.Stat(image); err == nil && st.Mode().IsRegular() {
		return image, nil
	}
	imgs, err := installer.List(ctx, installersDir)
	if err != nil {
		return "", err
	}
	for _, i := range imgs {
		if i.Host == image {
			return i.Path, nil
		}
	}
	return "", fmt.Errorf("%s: neither an image file nor a host with a built installer (iso:list, iso:build HOST)", image)
}
