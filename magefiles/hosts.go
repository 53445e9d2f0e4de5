//go:build mage

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/internal/checks"
	"github.com/nixos-hub/hub/internal/command"
	featreg "github.com/nixos-hub/hub/internal/features"
	"github.com/nixos-hub/hub/internal/hostdiff"
	"github.com/nixos-hub/hub/internal/hwconfig"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/parallel"
	"github.com/nixos-hub/hub/internal/status"
)

// Hosts inspects and checks the fleet inventory.
type Hosts mg.Namespace

// List shows every host: name, address, tags, roles and feature count (-json for machines).
func (Hosts) List(ctx context.Context, json *bool) error {
	env := runEnv(json, nil)
	f, err := env.LoadFleet()
	if err != nil {
		return err
	}
	if env.Out.JSON {
		return inventory.WriteJSON(os.Stdout, f.Hosts)
	}
	return inventory.WriteTable(os.Stdout, f.Hosts)
}

// Show prints everything the inventory says about HOST, with fleet defaults applied.
func (Hosts) Show(ctx context.Context, host string, json *bool) error {
	env := runEnv(json, nil)
	_, h, err := env.Host(host)
	if err != nil {
		return err
	}
	if env.Out.JSON {
		return inventory.WriteJSON(os.Stdout, []*inventory.Host{h})
	}
	return inventory.WriteHost(os.Stdout, h)
}

// Check validates the inventory and reports every problem with file, line and field.
func (Hosts) Check(ctx context.Context) error {
	env := runEnv(nil, nil)
	f, err := env.LoadFleet()
	if err != nil {
		return err
	}
	// Not for the local fleet, whose generated inventory copies the features without the sets.
	if env.RepoHosts {
		if errs := append(f.CheckBackupFeature(), f.CheckMicroVMFeature()...); len(errs) > 0 {
			return errors.Join(errs...)
		}
	}
	fmt.Printf("inventory ok: %d hosts in %s\n", len(f.Hosts), f.Dir)
	if env.RepoHosts {
		if err := featreg.CheckLock("."); err != nil {
			// Not an inventory error, but every deploy until then takes whatever the inputs' branches hold.
			fmt.Printf("flake.lock: %v\n", err)
		}
	}
	return nil
}

// New scaffolds hosts/NAME: host.toml, default.nix and a hardware file (from nixos-generate-config output with -hardwareConfig FILE).
func (Hosts) New(ctx context.Context, name, class, hardware string, features *string, tags *string, hardwareConfig *string, description *string) error {
	files, err := featreg.NewHost(ctx, ".", featreg.NewHostOptions{
		Name: name, Class: class, Hardware: hardware, Description: flag(description, ""),
		Features: splitList(flag(features, "")), Tags: splitList(flag(tags, "")), HardwareConfig: flag(hardwareConfig, ""),
	})
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Println("wrote", f)
	}
	fmt.Printf("next: edit hosts/%s/host.toml (ssh destination), then go tool mage hosts:check and features:host %s\n", name, name)
	return nil
}

// Status shows, for each host of the SELECTION in parallel (over ssh, two round trips): uptime, load, memory used/total, disk use of / (and /nix, /boot when separate), Nix store size, system generation, last hub deploy, failed units and a pending reboot; -timeout D bounds each round trip (default 30s), -json for machines.
func (Hosts) Status(ctx context.Context, selection string, timeout *time.Duration, json *bool) error {
	env := runEnv(json, nil)
	return fanOut(ctx, env, selection, parallel.Options{Name: "hosts-status", Limit: 32}, func(ctx context.Context, t *parallel.Task, h *inventory.Host, e *command.Executor) error {
		t.Phase("status")
		s, err := status.Read(ctx, e.SSH(h.Name, h.SSH), flag(timeout, 30*time.Second))
		if err != nil {
			return err
		}
		for _, f := range s.Fields() {
			t.Set(f[0], f[1])
		}
		if len(s.FailedUnits) > 0 {
			return parallel.Warn("failed-units", fmt.Errorf("%d failed unit(s): %s (systemctl status %s)", len(s.FailedUnits), strings.Join(s.FailedUnits, ", "), s.FailedUnits[0]))
		}
		return nil
	})
}

// Exec runs CMDLINE (one shell command line, run by sh -c as the ssh user, with sudo when host.toml says so) on every host of the SELECTION in parallel: each output line prefixed with its host and kept in the run's per-host logs, the exit status per host in the summary; exits non-zero if any host's command failed. -timeout D bounds each host's command (default: none), -limit N hosts at once (default 32), -json for machines.
func (Hosts) Exec(ctx context.Context, selection, cmdline string, timeout *time.Duration, limit *int, json *bool) error {
	env := runEnv(json, nil)
	if strings.TrimSpace(cmdline) == "" {
		return errors.New("hosts:exec: CMDLINE is empty: give the shell command line to run, e.g. go tool mage hosts:exec '@all' 'uptime'")
	}
	return fanOut(ctx, env, selection, parallel.Options{Name: "hosts-exec", Limit: flag(limit, 32)}, func(ctx context.Context, t *parallel.Task, h *inventory.Host, e *command.Executor) error {
		t.Phase("exec")
		res, err := e.SSH(h.Name, h.SSH).Run(ctx, command.Cmd{Args: []string{"sh", "-c", cmdline},
			Stdout: t.Stream(), Stderr: t.Stream(), Timeout: flag(timeout, 0)})
		t.Set("exit", strconv.Itoa(res.ExitCode))
		t.Set("took", res.Duration.Round(time.Millisecond).String())
		return err
	})
}

// Ping checks SSH reachability (BatchMode) of the SELECTION in parallel and shows each latency.
func (Hosts) Ping(ctx context.Context, selection string, timeout *time.Duration, json *bool) error {
	env := runEnv(json, nil)
	return fanOut(ctx, env, selection, parallel.Options{Name: "hosts-ping", Limit: 32}, func(ctx context.Context, t *parallel.Task, h *inventory.Host, e *command.Executor) error {
		t.Phase("ssh")
		rtt, err := e.SSH(h.Name, h.SSH).Ping(ctx, flag(timeout, 10*time.Second))
		if err != nil {
			return err
		}
		t.Set("address", h.Address())
		t.Set("latency", rtt.Round(time.Millisecond).String())
		return nil
	})
}

// CheckHardware compares HOST's committed hardware file (hosts/HOST/hardware-configuration.nix) with what nixos-generate-config --show-hardware-config detects on the host now, run over ssh (the old test-hw-config): file systems (device, type, options; names of one block device count as equal), swap, LUKS devices, the initrd's and kernel's modules, the CPU microcode and the platform. Exits non-zero when they differ; -json for machines.
func (Hosts) CheckHardware(ctx context.Context, host string, json *bool) error {
	env := runEnv(json, nil)
	ctx, stop := interruptible(ctx)
	defer stop()
	h, e, err := oneHost(env, host)
	if err != nil {
		return err
	}
	defer e.Close()
	committed := filepath.Join(featreg.HostsDir("."), h.Name, "hardware-configuration.nix")
	if _, err := os.Stat(committed); err != nil {
		return fmt.Errorf("%s: %w (hosts:new writes it from nixos-generate-config output)", h.Name, err)
	}
	dir, err := os.MkdirTemp("", "hub-hardware-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	remote := e.SSH(h.Name, h.SSH)
	detected, err := hwconfig.Detect(ctx, remote, dir)
	if err != nil {
		return err
	}
	hw, err := hwconfig.Read(ctx, e.Local(), committed, detected)
	if err != nil {
		return err
	}
	resolved, err := hwconfig.Resolve(ctx, remote, append(hw[0].Devices(), hw[1].Devices()...))
	if err != nil {
		return err
	}
	if dryRunNoResult(e) {
		return nil
	}
	diffs := hwconfig.Compare(hw[0], hw[1], resolved)
	if env.Out.JSON {
		if err := env.Out.WriteJSON(map[string]any{"host": h.Name, "file": committed, "differences": diffs}); err != nil {
			return err
		}
	} else {
		hwconfig.Write(os.Stdout, h.Name, committed, diffs)
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%s: %d hardware difference(s): update %s from `nixos-generate-config --show-hardware-config` on the host, or the host's disks", h.Name, len(diffs), committed)
	}
	return nil
}

// Diff shows how hosts A and B differ (the old diff-hosts): at feature level (class, hardware, the features only one enables, with the reason each is on) and at option level from both evaluated configurations (the hub's features.* options, kernel, boot loader, file systems, enabled services and units, packages, normal users, firewall, nix substituters, state version; -paths P,Q adds option paths). The option level needs the flake's inputs: without them it says SKIPPED and why, and the feature level stands alone. -probeTimeout D bounds fetching the inputs (default 2m); -json for machines.
func (Hosts) Diff(ctx context.Context, a, b string, paths *string, probeTimeout *time.Duration, json *bool) error {
	env := runEnv(json, nil)
	return onHosts(ctx, env, a+","+b, func(ctx context.Context, f *inventory.Fleet, _ []*inventory.Host, e *command.Executor) error {
		reg, hosts, err := featuresLoad()
		if err != nil {
			return err
		}
		o := hostdiff.DiffOptions{Flake: f.Flake, A: a, B: b, Paths: splitList(flag(paths, ""))}
		// The local fleet's flake is builtins-only and has no inputs to fetch (nix/localfleet/flake.nix).
		if !env.LocalFleet {
			o.Probe = func(ctx context.Context) (string, error) {
				err := checks.ProbeInputs(ctx, env.LocalNix(e), strings.TrimPrefix(f.Flake, "path:"), flag(probeTimeout, 2*time.Minute))
				if skip, ok := errors.AsType[*checks.SkipError](err); ok {
					return skip.Reason, nil
				}
				return "", err
			}
		}
		res, err := hostdiff.Diff(ctx, env.LocalNix(e), reg, hosts, o)
		if err != nil {
			return err
		}
		if dryRunNoResult(e) {
			return nil
		}
		if env.Out.JSON {
			return env.Out.WriteJSON(res)
		}
		hostdiff.Write(os.Stdout, a, b, res.Features, res.Options, res.OptionsSkipped)
		return nil
	})
}
