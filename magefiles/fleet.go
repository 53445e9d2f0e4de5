//go:build mage

package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/sysdeps"
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
// and 340 MB from the Debian mirror, once per machine; needs root) and prints where it is cached.
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

// Stage prepares a change on the local fleet's SELECTION for a rehearsal: each host's next system gets a new generation and, where given, -kernel=VERSION (a change needs a reboot), -sshd=ok|deny|port (deny: logins fail; port: sshd moves, new connections refused: both rolled back by the magic rollback), -failingUnit[=false] (switch exits 4), -activationDelay=D (a slow activation), -systemd=VERSION (a switch inhibitor); a flag not given keeps the host's staged value, -reset returns all to the defaults first. Then deploy:plan shows the change and deploy:hosts rolls it out (with HUB_FLEET=local).
func (Fleet) Stage(ctx context.Context, selection string, kernel, sshd *string, failingUnit *bool, activationDelay *time.Duration, systemd *string, reset *bool) error {
	f, err := openLocalFleet()
	if err != nil {
		return err
	}
	inv, err := inventory.Load(f.InventoryDir())
	if err != nil {
		return err
	}
	hosts, err := inv.Select(selection)
	if err != nil {
		return err
	}
	for _, h := range hosts {
		v, err := f.Stage(h.Name, func(v *localfleet.Variant) {
			if flag(reset, false) {
				*v = localfleet.Variant{Generation: v.Generation}
			}
			set(&v.Kernel, kernel)
			set(&v.SSHD, sshd)
			set(&v.FailingUnit, failingUnit)
			set(&v.ActivationDelay, activationDelay)
			set(&v.Systemd, systemd)
		})
		if err != nil {
			return err
		}
		fmt.Printf("%s: staged generation %d: kernel %s, sshd %s, failing unit %v, activation delay %s, systemd %s\n",
			h.Name, v.Generation, v.Kernel, v.SSHD, v.FailingUnit, v.ActivationDelay, v.Systemd)
	}
	fmt.Println("next: HUB_FLEET=local go tool mage deploy:plan " + selection + " (what would change), then deploy:hosts " + selection)
	return nil
}

// set stores *flag in *dst when the flag was given.
func set[T any](dst *T, flag *T) {
	if flag != nil {
		*dst = *flag
	}
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
