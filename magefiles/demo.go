//go:build mage

package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/nixos-hub/hub/internal/demo"
	"github.com/nixos-hub/hub/internal/sysdeps"
)

// Demo runs the main job on the embedded local fleet: six hosts deployed in parallel, their status, a generation that locks SSH out rolled back automatically, and p620's development VM booted with QEMU and reached over SSH (needs root; the fleet is torn down at the end).
func Demo(ctx context.Context) (err error) {
	ctx, stop := interruptible(ctx)
	defer stop()
	tools := append([]sysdeps.Tool{sysdeps.Nix, sysdeps.SSH, sysdeps.SSHKeygen, sysdeps.SSHD, sysdeps.Unshare}, sysdeps.MicroVM...)
	if err := sysdeps.Ensure(ctx, tools, os.Stdout); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("/tmp", "hub-demo-")
	if err != nil {
		return err
	}
	story, err := demo.Run(ctx, demo.Options{Dir: dir, RunDir: runsDir, ConfirmTimeout: 10 * time.Second, Out: os.Stdout})
	if err != nil {
		return err
	}
	if len(story) == 0 {
		return fmt.Errorf("demo: nothing happened")
	}
	return nil
}
