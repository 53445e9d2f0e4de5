package localfleet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/nixos-hub/hub/pkg/nix"
)

// Variant selects what a host's next system looks like. The zero value is the healthy
// generation-1 system.
type Variant struct {
	// Generation is a marker baked into the system: successive values give distinct toplevels.
	// 0 means 1.
	Generation int
	// Kernel is the kernel version; changing it makes the system need a reboot (kernel, initrd
	// and kernel-modules differ from the booted system). Empty means "6.6.0".
	Kernel string
	// SSHD is the sshd config: SSHDOK, SSHDDeny (AllowUsers nobody: logins fail) or SSHDPort
	// (sshd moves to port+1: new connections are refused). Empty means SSHDOK.
	SSHD string
	// FailingUnit makes switch-to-configuration switch|test exit 4 after activating.
	FailingUnit bool
	// ActivationDelay slows activation down (whole seconds).
	ActivationDelay time.Duration
	// Systemd is the systemd version. The system lists its systemd as a switch inhibitor, as
	// NixOS does: when it differs from the booted system's, switch and test refuse with NixOS's
	// message and exit 1 (boot still works). Empty means "255".
	Systemd string
}

// sshd variants.
const (
	SSHDOK   = "ok"
	SSHDDeny = "deny"
	SSHDPort = "port"
)

type variantJSON struct {
	Generation             int    `json:"generation"`
	Kernel                 string `json:"kernel"`
	SSHD                   string `json:"sshd"`
	FailingUnit            bool   `json:"failingUnit"`
	ActivationDelaySeconds int    `json:"activationDelaySeconds"`
	Systemd                string `json:"systemd"`
}

func (v Variant) normalized() (variantJSON, error) {
	j := variantJSON{Generation: v.Generation, Kernel: v.Kernel, SSHD: v.SSHD, FailingUnit: v.FailingUnit,
		ActivationDelaySeconds: int((v.ActivationDelay + time.Second - 1) / time.Second), Systemd: v.Systemd}
	if j.Generation == 0 {
		j.Generation = 1
	}
	if j.Kernel == "" {
		j.Kernel = "6.6.0"
	}
	if j.SSHD == "" {
		j.SSHD = SSHDOK
	}
	if j.Systemd == "" {
		j.Systemd = "255"
	}
	switch {
	case j.Generation < 0:
		return j, fmt.Errorf("generation %d: must be positive", j.Generation)
	case j.SSHD != SSHDOK && j.SSHD != SSHDDeny && j.SSHD != SSHDPort:
		return j, fmt.Errorf("sshd variant %q: want %s, %s or %s", j.SSHD, SSHDOK, SSHDDeny, SSHDPort)
	case strings.ContainsAny(j.Kernel, " \t\n/\"'$`\\"):
		return j, fmt.Errorf("kernel version %q: no spaces, slashes or quotes", j.Kernel)
	case strings.ContainsAny(j.Systemd, " \t\n/\"'$`\\"):
		return j, fmt.Errorf("systemd version %q: no spaces, slashes or quotes", j.Systemd)
	case v.ActivationDelay < 0:
		return j, fmt.Errorf("activation delay %s: must not be negative", v.ActivationDelay)
	}
	return j, nil
}

// flakeFiles are copied from nix/localfleet into each fleet's flake directory, which must be
// self-contained: a pure flake evaluation cannot read outside it.
func flakeFiles() []string {
	return []string{"flake.nix", "system.nix", "defaults.nix", "toplevel.sh", "activate.sh", "switch-to-configuration.sh", "stage-2.sh"}
}

// A flake without inputs always has this lock; writing it up front keeps concurrent
// evaluations from racing to create it.
const emptyFlakeLock = `{"nodes":{"root":{}},"root":"root","version":7}` + "\n"

type flakeParams struct {
	State string                `json:"state"`
	Hosts map[string]flakeParam `json:"hosts"`
}

type flakeParam struct {
	Address string `json:"address"`
	Port    int    `json:"port"`
	System  string `json:"system"`
	Systemd bool   `json:"systemd"` // a systemd host: units, stage 2, no NIX_CONF_DIR for sessions
}

func writeFlake(src, dst, stateDir string, hosts []Host) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return fmt.Errorf("flake: %w", err)
	}
	for _, name := range flakeFiles() {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return fmt.Errorf("flake: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), b, 0o644); err != nil {
			return fmt.Errorf("flake: %w", err)
		}
	}
	p := flakeParams{State: stateDir, Hosts: map[string]flakeParam{}}
	variants := map[string]variantJSON{}
	for _, h := range hosts {
		p.Hosts[h.Name] = flakeParam{Address: h.Address, Port: h.Port, System: "x86_64-linux", Systemd: h.Systemd}
		variants[h.Name], _ = Variant{}.normalized()
	}
	for name, v := range map[string]any{"params.json": p, "variants.json": variants} {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("flake: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("flake: %w", err)
		}
	}
	return os.WriteFile(filepath.Join(dst, "flake.lock"), []byte(emptyFlakeLock), 0o644)
}

// SetVariant selects the variant the host's next build produces (the flake reads variants.json),
// so deploy code building the fleet's flake picks it up like a changed configuration.
func (f *Fleet) SetVariant(name string, v Variant) error {
	j, err := v.normalized()
	if err != nil {
		return fmt.Errorf("localfleet %s: %w", name, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.hostLocked(name); err != nil {
		return err
	}
	path := filepath.Join(f.FlakeDir(), "variants.json")
	variants := map[string]variantJSON{}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("localfleet %s: variants: %w", name, err)
	}
	if err := json.Unmarshal(b, &variants); err != nil {
		return fmt.Errorf("localfleet %s: variants: %w", name, err)
	}
	variants[name] = j
	b, err = json.MarshalIndent(variants, "", "  ")
	if err != nil {
		return fmt.Errorf("localfleet %s: variants: %w", name, err)
	}
	return writeFileAtomic(path, append(b, '\n'), 0o644)
}

// Variant is the variant the host's next build produces (what SetVariant or Stage last chose).
func (f *Fleet) Variant(name string) (Variant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.hostLocked(name); err != nil {
		return Variant{}, err
	}
	variants := map[string]variantJSON{}
	b, err := os.ReadFile(filepath.Join(f.FlakeDir(), "variants.json"))
	if err == nil {
		err = json.Unmarshal(b, &variants)
	}
	if err != nil {
		return Variant{}, fmt.Errorf("localfleet %s: variants: %w", name, err)
	}
	j, ok := variants[name]
	if !ok {
		return Variant{}, fmt.Errorf("localfleet %s: no variant in variants.json", name)
	}
	return Variant{Generation: j.Generation, Kernel: j.Kernel, SSHD: j.SSHD, FailingUnit: j.FailingUnit,
		ActivationDelay: time.Duration(j.ActivationDelaySeconds) * time.Second, Systemd: j.Systemd}, nil
}

// Stage prepares a change of the named host for a rehearsal: its next system is its current
// variant with change applied and a generation marker one higher, so that deploy:plan shows a
// new system and a deploy rolls it out. It returns the staged variant.
func (f *Fleet) Stage(name string, change func(*Variant)) (Variant, error) {
	v, err := f.Variant(name)
	if err != nil {
		return Variant{}, err
	}
	if change != nil {
		change(&v)
	}
	v.Generation++
	return v, f.SetVariant(name, v)
}

// Toplevel is the flake attribute of a host's system.
func Toplevel(name string) string {
	return "nixosConfigurations." + name + ".config.system.build.toplevel"
}

// Build builds the current variants of the named hosts' systems in one nix invocation and
// returns their store paths by host name.
func (f *Fleet) Build(ctx context.Context, names ...string) (map[string]string, error) {
	return buildSystems(ctx, f.FlakeRef(), names)
}

func buildSystems(ctx context.Context, flakeRef string, names []string) (map[string]string, error) {
	args := append([]string{"build"}, nix.Local().Args()...)
	// The builds are tiny shell scripts: running them side by side beats the default of one.
	args = append(args, "--max-jobs", "4", "--no-link", "--json")
	for _, n := range names {
		args = append(args, flakeRef+"#"+Toplevel(n))
	}
	out, err := run(ctx, "", nix.Local().Env(), "nix", args...)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", strings.Join(names, " "), err)
	}
	var res []struct {
		Outputs map[string]string `json:"outputs"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("build %s: unexpected nix output %q", strings.Join(names, " "), out)
	}
	// nix lists the results in its own order: match them by the host name in the store path.
	paths := map[string]string{}
	for _, r := range res {
		if n := systemHost(r.Outputs["out"]); slices.Contains(names, n) {
			paths[n] = r.Outputs["out"]
		}
	}
	if len(paths) != len(names) {
		return nil, fmt.Errorf("build %s: nix built %q", strings.Join(names, " "), out)
	}
	return paths, nil
}

// systemHost extracts the host name from a toplevel store path:
// /nix/store/<hash>-nixos-system-<name>-24.11.localfleet-g<N> (see system.nix).
func systemHost(path string) string {
	base := filepath.Base(path)
	_, name, _ := strings.Cut(base, "-")
	name, ok := strings.CutPrefix(name, "nixos-system-")
	if !ok {
		return ""
	}
	if i := strings.LastIndex(name, "-24.11.localfleet-g"); i > 0 {
		return name[:i]
	}
	return ""
}

// copyToHostStore copies a closure from this machine's store straight into the host's store
// directory (a chroot store), which needs no running host.
func copyToHostStore(ctx context.Context, hostDir, path string) error {
	args := append([]string{"copy"}, nix.Local().Args()...)
	args = append(args, "--no-check-sigs", "--to", "local?root="+hostDir, path)
	if _, err := run(ctx, "", nix.Local().Env(), "nix", args...); err != nil {
		return fmt.Errorf("copy %s: %w", path, err)
	}
	return nil
}

// run runs a short command and returns its stdout; stderr goes into the error.
func run(ctx context.Context, dir string, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(lastLines(stderr.String(), 15)))
	}
	return stdout.Bytes(), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
