package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
)

// The vm:* targets as a user runs them on the local fleet: one guest started (one TCG boot, the
// expensive part), listed, reached with vm:ssh, stopped without a QEMU left behind.
func TestVMTargets(t *testing.T) {
	fleettest.NeedMicroVM(t)
	// RepoHosts empty: the guests are the test's own, not the repository's p620 ones.
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620"}, RepoHosts: filepath.Join(t.TempDir(), "none")})
	fleettest.AppendHostTOML(t, lf, "p620", "[[microvm]]\nname = \"dev-vm\"\nvcpu = 2\nmemory_mib = 256\nssh_port = 2222\n\n[[microvm]]\nname = \"idle-vm\"\nssh_port = 2223\nautostart = false\n")
	bin, root := fleettest.Mage(t)

	out, code := runTarget(t, bin, root, lf, "vm:start", "p620/dev-vm")
	if code != 0 {
		t.Fatalf("vm:start exit %d:\n%s", code, out)
	}
	if !lineWith(out, "p620/dev-vm", "running") {
		t.Errorf("vm:start summary has no running row:\n%s", out)
	}
	t.Logf("vm:start:\n%s", out)

	out, code = runTarget(t, bin, root, lf, "vm:list", "*")
	if code != 0 || !strings.Contains(out, "dev-vm") || !strings.Contains(out, "idle-vm") {
		t.Fatalf("vm:list exit %d:\n%s", code, out)
	}
	for _, want := range [][]string{{"dev-vm", "running", "2", "256MiB"}, {"idle-vm", "absent", "1", "512MiB"}} {
		if !lineWith(out, want...) {
			t.Errorf("vm:list has no line with %q:\n%s", want, out)
		}
	}

	// The guest runs its own system (generation 1 of it, from the host's store).
	out, code = runTarget(t, bin, root, lf, "vm:ssh", "p620/dev-vm", "-command=nproc; hostname; cat /run/current-system/nixos-version")
	if code != 0 || !strings.Contains(out, "2\ndev-vm\n25.11.localfleet-g1") {
		t.Errorf("vm:ssh -command exit %d:\n%s", code, out)
	}
	out, _ = runTarget(t, bin, root, lf, "vm:ssh", "p620/dev-vm", "-print")
	if !strings.Contains(out, "ssh -p 2222") || !strings.Contains(out, "StrictHostKeyChecking=yes") {
		t.Errorf("vm:ssh -print:\n%s", out)
	}

	// The autostart guest that is not running is the status warning (and the alert's case).
	out, _ = runTarget(t, bin, root, lf, "vm:status", "p620")
	if !lineWith(out, "p620/idle-vm", "absent") || !strings.Contains(out, "p620/dev-vm") {
		t.Errorf("vm:status:\n%s", out)
	}

	h, err := lf.Host("p620")
	if err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(h.RunDir(), "hub-microvms", "dev-vm", "qemu.pid")
	pid := 0
	if data, err := os.ReadFile(pidFile); err == nil {
		pid, _ = strconv.Atoi(strings.TrimSpace(string(data)))
	}
	out, code = runTarget(t, bin, root, lf, "vm:stop", "p620/dev-vm")
	if code != 0 || !lineWith(out, "p620/dev-vm", "stopped") {
		t.Fatalf("vm:stop exit %d:\n%s", code, out)
	}
	if pid > 0 && syscall.Kill(pid, 0) != syscall.ESRCH {
		t.Errorf("qemu %d still runs after vm:stop", pid)
	}

	out, code = runTarget(t, bin, root, lf, "vm:destroy", "p620/dev-vm")
	if code == 0 || !strings.Contains(out, "-yes") {
		t.Errorf("vm:destroy without -yes exit %d:\n%s", code, out)
	}
}

// lineWith reports whether a line of out has every word among its fields.
func lineWith(out string, words ...string) bool {
	for _, l := range strings.Split(out, "\n") {
		fields := strings.Fields(l)
		all := true
		for _, w := range words {
			if !slices.Contains(fields, w) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// On the repository's inventory (real NixOS hosts) the targets drive microvm.nix's units:
// HUB_DRY_RUN prints the exact ssh command lines and runs nothing, and vm:update says how a
// declared guest is rebuilt instead.
func TestVMTargetsDryRunOnRealHosts(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the magefiles")
	}
	bin, root := fleettest.Mage(t)
	run := func(args ...string) (string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "HUB_DRY_RUN=1", "HUB_FLEET=")
		out, _ := cmd.CombinedOutput()
		return string(out), cmd.ProcessState.ExitCode()
	}
	out, _ := run("vm:restart", "p620/dev-vm")
	if !strings.Contains(out, "[dry-run] p620: ssh") || !strings.Contains(out, "systemctl restart microvm@dev-vm.service") {
		t.Errorf("vm:restart dry run:\n%s", out)
	}
	out, code := run("vm:update", "p620/dev-vm")
	if code == 0 || !strings.Contains(out, "deploy:switch") {
		t.Errorf("vm:update on a NixOS host exit %d:\n%s", code, out)
	}
	out, _ = run("vm:ssh", "p620/dev-vm", "-print")
	if !strings.Contains(out, "ssh -p 2222") || !strings.Contains(out, "StrictHostKeyChecking=accept-new") || !strings.Contains(out, "dev@p620") {
		t.Errorf("vm:ssh -print:\n%s", out)
	}
}
