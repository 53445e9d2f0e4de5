//go:build mage

package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/pkg/localfleet"
	"github.com/nixos-hub/hub/pkg/sysdeps"
)

// Fleet runs the local fleet: NixOS-shaped hosts in namespaces on this machine, reached over ssh
// like production (state in .hub/localfleet or $HUB_LOCALFLEET_DIR; needs root).
type Fleet mg.Namespace

// Up starts the local fleet (-n=N hosts, default 6: p620 p510 razer dex5550 samsung hp; -systemd
// makes them systemd hosts, building their image first when it is not cached) and prints how to
// point the other targets at it.
func (Fleet) Up(ctx context.Context, n *int, systemd *bool) error {
	names, err := localfleet.HostNames(flag(n, len(localfleet.DefaultHosts())))
	if err != nil {
		return err
	}
	dir, err := localfleet.DefaultDir()
	if err != nil {
		return err
	}
	start := time.Now()
	f, err := localfleet.Up(ctx, localfleet.Config{Dir: dir, Hosts: names, Systemd: flag(systemd, false),
		Image: localfleet.ImageOptions{Out: os.Stdout}})
	if err != nil {
		return err
	}
	fmt.Printf("local fleet of %d hosts up in %s (state %s)\n\n", len(names), time.Since(start).Round(10*time.Millisecond), f.Dir())
	if err := localfleet.WriteStatus(os.Stdout, f.Status()); err != nil {
		return err
	}
	fmt.Printf("\ninventory: %s\nflake:     %s\n\nexport HUB_FLEET=local\n", f.InventoryDir(), f.FlakeRef())
	return nil
}

// Image builds the root file system of the local fleet's systemd hosts (debootstrap, about a minute
// and 330 MB from the Debian mirror, once per machine; needs root) and prints where it is cached.
func (Fleet) Image(ctx context.Context) error {
	ctx, stop := interruptible(ctx)
	defer stop()
	if err := sysdeps.Ensure(ctx, []sysdeps.Tool{sysdeps.Debootstrap, sysdeps.Nspawn, sysdeps.Unshare}, os.Stdout); err != nil {
		return err
	}
	dir, err := localfleet.EnsureImage(ctx, localfleet.ImageOptions{Out: os.Stdout})
	if err != nil {
		return err
	}
	fmt.Printf("systemd host image: %s\n", dir)
	return nil
}

// Down tears the local fleet down: no process, mount or state directory is left, even after a
// crashed fleet:up.
func (Fleet) Down(ctx context.Context) error {
	dir, err := localfleet.DefaultDir()
	if err != nil {
		return err
	}
	if err := localfleet.Down(ctx, dir); err != nil {
		return err
	}
	fmt.Printf("local fleet in %s is down\n", dir)
	return nil
}

// Status shows each local host: address, sshd pid and state, running system, generation,
// profile generation and whether a reboot is needed.
func (Fleet) Status(ctx context.Context) error {
	f, err := openLocalFleet()
	if err != nil {
		return err
	}
	return localfleet.WriteStatus(os.Stdout, f.Status())
}

// Reboot reboots one local host: it boots the generation its last switch or boot installed.
func (Fleet) Reboot(ctx context.Context, host string) error {
	f, err := openLocalFleet()
	if err != nil {
		return err
	}
	if err := f.Reboot(ctx, host); err != nil {
		return err
	}
	return localfleet.WriteStatus(os.Stdout, f.Status())
}

func openLocalFleet() (*localfleet.Fleet, error) {
	dir, err := localfleet.DefaultDir()
	if err != nil {
		return nil, err
	}
	return localfleet.Open(dir)
}
