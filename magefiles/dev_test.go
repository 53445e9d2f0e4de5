package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
)

// dev:languages, dev:shell with an unknown language, and dev:shell where nixpkgs cannot be
// fetched (a network namespace of its own: the test sends no packet), through the real mage
// binary: exit codes and the one-line messages a person sees.
func TestDevShellTargets(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("SKIPPED: nix-instantiate is not installed")
	}
	bin, root := fleettest.Mage(t)
	run := func(argv ...string) (string, int) {
		t.Helper()
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = root
		out, _ := cmd.CombinedOutput()
		return string(out), cmd.ProcessState.ExitCode()
	}

	out, code := run(bin, "dev:languages")
	if code != 0 || !strings.Contains(out, "gopls") || !strings.Contains(out, "rust-analyzer") {
		t.Errorf("dev:languages: exit %d, want 0 with the go and rust packages:\n%s", code, out)
	}

	out, code = run(bin, "dev:shell", "cobol")
	if code == 0 || !strings.Contains(out, `no language "cobol" in nix/languages.nix (want one of `) || !strings.Contains(out, ", go, ") {
		t.Errorf("dev:shell cobol: exit %d, want non-zero naming the known languages:\n%s", code, out)
	}

	if os.Geteuid() != 0 {
		t.Skip("SKIPPED: the network namespace (unshare --net) needs root")
	}
	out, code = run("unshare", "--net", "--", bin, "dev:shell", "go", "-command=go version")
	if code == 0 || !strings.Contains(out, "dev:shell go SKIPPED: the flake inputs (nixpkgs) are not reachable") {
		t.Errorf("dev:shell go without network: exit %d, want non-zero saying SKIPPED:\n%s", code, out)
	}
}
