package nix

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
)

// probeExpr is the smallest derivation that exercises what the local fleet needs of a builder:
// a store to write to, a build user (or none), and /bin/sh. The nonce makes every probe a real
// build rather than a cache hit.
const probeExpr = `{ nonce }: derivation {
  name = "hub-nix-probe";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" "echo ok > $out" ];
  inherit nonce;
}`

// Probe builds one trivial derivation with s and returns nil when it built. Otherwise the error
// is one line: what nix said, why, and what to do.
func Probe(ctx context.Context, local *command.Host, s Settings) error {
	args := append([]string{"nix-build", "--no-out-link"}, s.Args()...)
	args = append(args, "--argstr", "nonce", strconv.FormatInt(time.Now().UnixNano(), 36), "-E", probeExpr)
	res, err := local.Run(ctx, command.Cmd{Args: args, Env: s.Env(), Timeout: 2 * time.Minute})
	if err != nil {
		var exit *command.ExitError
		if errors.As(err, &exit) {
			return diagnose(exit.Stderr, os.Geteuid())
		}
		return fmt.Errorf("nix cannot build (%s settings): %w", s.Kind, err)
	}
	if res.DryRun {
		return nil
	}
	out := strings.TrimSpace(string(res.Stdout))
	b, err := os.ReadFile(out)
	if err != nil || strings.TrimSpace(string(b)) != "ok" {
		return fmt.Errorf("nix built the probe derivation but its output %q is not what it wrote (%v): check the store at /nix/store", out, err)
	}
	return nil
}

// diagnose turns nix's stderr into the one line a person needs.
func diagnose(stderr string, euid int) error {
	last := lastError(stderr)
	switch {
	case strings.Contains(stderr, "build-users-group") && strings.Contains(stderr, "does not exist"):
		return fmt.Errorf("nix cannot build: %s; the hub passes build-users-group= for the local fleet, so another configuration overrides it: check NIX_CONFIG and ~/.config/nix/nix.conf", last)
	case strings.Contains(stderr, "executing '/bin/sh'"):
		return fmt.Errorf("nix cannot build: %s; the build sandbox hides /bin/sh and the hub's sandbox=false was not honoured: a nix-daemon ignores it for users not in its trusted-users, so run as root or add yourself to trusted-users", last)
	case strings.Contains(stderr, "Permission denied") || strings.Contains(stderr, "cannot connect to socket") || strings.Contains(stderr, "cannot open connection to remote store"):
		if euid != 0 {
			return fmt.Errorf("nix cannot build: %s; as uid %d nix cannot write /nix/store: run as root (sudo -E go tool mage ...), or start nix-daemon and add yourself to its trusted-users", last, euid)
		}
		return fmt.Errorf("nix cannot build: %s; check that /nix is writable by root and not mounted read-only", last)
	case strings.Contains(stderr, "No space left on device"):
		return fmt.Errorf("nix cannot build: %s; free space on the disk holding /nix (nix-collect-garbage -d)", last)
	}
	return fmt.Errorf("nix cannot build a trivial derivation: %s", last)
}

// lastError is nix's last "error:" line, or its last line when there is none.
func lastError(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); strings.HasPrefix(l, "error:") {
			return l
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return "no output"
}
