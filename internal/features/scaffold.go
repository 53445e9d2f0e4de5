package features

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/durablefile"
)

// NewHostOptions describes a host to scaffold with NewHost.
type NewHostOptions struct {
	Name        string
	Description string
	Class       string   // workstation | server | laptop
	System      string   // defaults to x86_64-linux
	Hardware    string   // amd-gpu | nvidia-gpu | intel-integrated
	Features    []string // registry names; checked before anything is written
	Tags        []string
	// HardwareConfig is the path of a file written by `nixos-generate-config
	// --show-hardware-config` on the machine; empty writes a hardware-configuration.nix that
	// fails evaluation with instructions, so an unconfigured host can never be deployed.
	HardwareConfig string
}

// NewHost scaffolds hosts/<name>/ under root: host.toml (docs/inventory.md schema), default.nix
// and hardware-configuration.nix. Everything is validated first (name, class, system, hardware,
// the feature set against the registry, the hardware file parsing when nix-instantiate exists),
// so on error nothing is written. It returns the created files.
func NewHost(ctx context.Context, root string, opts NewHostOptions) ([]string, error) {
	if opts.System == "" {
		opts.System = "x86_64-linux"
	}
	fail := func(format string, args ...any) ([]string, error) {
		return nil, fmt.Errorf("hosts:new %s: "+format, append([]any{opts.Name}, args...)...)
	}
	if !nameRe.MatchString(opts.Name) {
		return nil, fmt.Errorf("hosts:new: invalid host name %q (want [a-z0-9][a-z0-9-]*)", opts.Name)
	}
	if strings.TrimSpace(opts.Description) == "" {
		return fail("description is empty")
	}
	if !slices.Contains(Classes(), opts.Class) {
		return fail("unknown class %q (want one of %s)", opts.Class, strings.Join(Classes(), ", "))
	}
	if !slices.Contains([]string{"x86_64-linux", "aarch64-linux"}, opts.System) {
		return fail("unknown system %q (want x86_64-linux or aarch64-linux)", opts.System)
	}
	if !slices.Contains(HardwareProfiles(), opts.Hardware) {
		return fail("unknown hardware %q (want one of %s)", opts.Hardware, strings.Join(HardwareProfiles(), ", "))
	}
	for _, t := range opts.Tags {
		if !nameRe.MatchString(t) {
			return fail("invalid tag %q (want [a-z0-9][a-z0-9-]*)", t)
		}
	}
	dir := filepath.Join(HostsDir(root), opts.Name)
	if _, err := os.Stat(dir); err == nil {
		return fail("%s already exists", dir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fail("%w", err)
	}

	reg, err := Load(RegistryPath(root))
	if err != nil {
		return fail("%w", err)
	}
	res := reg.Resolve(Host{Name: opts.Name, Class: opts.Class, Hardware: opts.Hardware, Features: opts.Features})
	if len(res.Errors) > 0 {
		return fail("feature set rejected:\n  %s", strings.Join(res.Errors, "\n  "))
	}

	hardware := unconfiguredHardware(opts.Name)
	if opts.HardwareConfig != "" {
		data, err := os.ReadFile(opts.HardwareConfig)
		if err != nil {
			return fail("hardware configuration: %w", err)
		}
		if err := parseNix(ctx, data); err != nil {
			return fail("hardware configuration %s does not parse: %w", opts.HardwareConfig, err)
		}
		hardware = string(data)
	}

	files := []struct{ name, content string }{
		{"host.toml", hostTOML(opts)},
		{"default.nix", defaultNix(opts)},
		{"hardware-configuration.nix", hardware},
	}
	if err := os.MkdirAll(HostsDir(root), 0o755); err != nil {
		return fail("%w", err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fail("%w", err)
	}
	// Each file is whole or absent (durablefile), and host.toml, which makes the directory a
	// host for the inventory and the flake, is written last: a crash midway leaves a directory
	// that is no host. A write that fails removes the directory, so on error nothing is written.
	for _, f := range slices.Backward(files) {
		if err := durablefile.Write(filepath.Join(dir, f.name), []byte(f.content), 0o644); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("hosts:new %s: %w", opts.Name, err)
		}
	}
	created := make([]string, len(files))
	for i, f := range files {
		created[i] = filepath.Join(dir, f.name)
	}
	return created, nil
}

// parseNix checks Nix syntax with nix-instantiate --parse when it is installed; without it the
// file is taken as is, and the hub's test:nixSyntax catches a broken one later.
func parseNix(ctx context.Context, src []byte) error {
	if !NixAvailable() {
		return nil
	}
	_, err := pureNix().Instantiate(ctx, bytes.NewReader(src), "--parse", "-")
	if xe, ok := errors.AsType[*command.ExitError](err); ok {
		return fmt.Errorf("exit status %d: %s", xe.ExitCode, strings.TrimSpace(xe.Stderr))
	}
	return err
}

func tomlList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func hostTOML(o NewHostOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "description = %s\n", strconv.Quote(o.Description))
	fmt.Fprintf(&b, "class = %s\n", strconv.Quote(o.Class))
	fmt.Fprintf(&b, "system = %s\n", strconv.Quote(o.System))
	fmt.Fprintf(&b, "hardware = %s\n", strconv.Quote(o.Hardware))
	fmt.Fprintf(&b, "tags = %s\n", tomlList(o.Tags))
	b.WriteString("roles = []\n")
	fmt.Fprintf(&b, "features = %s\n", tomlList(o.Features))
	b.WriteString("guarded = false\n\n")
	// The ssh_config alias equal to the host name is the fleet's addressing convention.
	fmt.Fprintf(&b, "[ssh]\ndestination = %s\n\n", strconv.Quote(o.Name))
	b.WriteString("[[health]]\nunit = \"sshd.service\"\n")
	return b.String()
}

func defaultNix(o NewHostOptions) string {
	return fmt.Sprintf(`# %s: what is specific to this machine. Everything else comes from host.toml's features.
{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;

  system.stateVersion = "25.11";
}
`, o.Name)
}

func unconfiguredHardware(name string) string {
	return fmt.Sprintf(`# The hardware of %[1]s has not been recorded yet. On the machine, run
#   nixos-generate-config --show-hardware-config > hosts/%[1]s/hardware-configuration.nix
# (or scaffold again with the file). Until then the host fails evaluation on purpose, so it cannot
# be deployed with guessed file systems.
{ ... }:
{
  assertions = [
    {
      assertion = false;
      message = "host %[1]s: hosts/%[1]s/hardware-configuration.nix has not been generated; run nixos-generate-config --show-hardware-config on the machine and save its output there";
    }
  ];
}
`, name)
}
