package localfleet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/renameio/v2"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
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
	// Exporters adds the hub's three exporters to a systemd host's system, as units rendered
	// from the NixOS modules' own settings (modules/lib/exporter-services.nix). Nil means none.
	Exporters *Exporters
	// Agenix decrypts age secrets into /run/agenix as agenix's NixOS module does. Nil means
	// none.
	Agenix *Agenix
	// Servarr gives a systemd host the *arr apps' API-key plumbing of the NixOS modules
	// (modules/lib/servarr-apikey.nix): for each app named (sonarr, radarr, lidarr, prowlarr),
	// the modules' own <app>-apikey.service, writing <APP>__AUTH__APIKEY from the key file
	// given here (an agenix path), and a stand-in <app>.service that sleeps with the
	// environment the app would get. Nil means none.
	Servarr map[string]string
}

// ServarrApps are the applications Variant.Servarr knows (modules/lib/servarr-apikey.nix's vars).
var ServarrApps = []string{"sonarr", "radarr", "lidarr", "prowlarr"}

// Agenix is what the host decrypts, and how.
type Agenix struct {
	// Mode is AgenixUnit (agenix-install-secrets.service, systemd hosts only) or
	// AgenixActivation (a step of the activation script, agenix's default; any host).
	Mode string
	// Identity is the private key on the host the secrets are decrypted with; empty means
	// /etc/ssh/ssh_host_ed25519_key, NixOS's (and so agenix's) default.
	Identity string
	// Secrets are the .age files on this machine, by the name they get under /run/agenix.
	Secrets map[string]string
}

// Agenix modes: the two ways agenix's NixOS module decrypts.
const (
	AgenixUnit       = "unit"
	AgenixActivation = "activation"
)

// Exporters are the hub's exporters on a systemd host: hub-nixos-exporter,
// hub-baseline-exporter and, when Media names an application, hub-media-exporter, each a unit
// with the modules' hardening, listening on the host's address at the modules' default port.
type Exporters struct {
	// Bin is a directory holding the three binaries under their program names
	// (hub-nixos-exporter, ...), as exporters:build lays them out for one architecture.
	Bin string
	// Media lists the applications the media exporter queries, by name (jellyfin, sonarr, ...).
	Media map[string]MediaApp
}

// MediaApp is one application the media exporter queries.
type MediaApp struct {
	URL string
	// Credential is the file on the host holding its API key or token, handed to the exporter
	// by LoadCredential (so it may be root-only, as agenix writes secrets).
	Credential string
}

// ExporterPrograms are the programs Exporters.Bin holds.
func ExporterPrograms() []string {
	return []string{"hub-nixos-exporter", "hub-media-exporter", "hub-baseline-exporter"}
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
	// Exporters: what system.nix needs of Variant.Exporters (see its exporters attribute).
	Exporters *exportersJSON `json:"exporters,omitempty"`
	Agenix    *agenixJSON    `json:"agenix,omitempty"`
	Servarr   *servarrJSON   `json:"servarr,omitempty"`
}

// servarrJSON is Variant.Servarr (a pointer to it keeps variantJSON comparable).
type servarrJSON struct {
	Apps map[string]string `json:"apps"` // app -> key file
}

type agenixJSON struct {
	Mode     string               `json:"mode"`
	Identity string               `json:"identity"`
	Secrets  map[string]fixedFile `json:"secrets"`
}

type exportersJSON struct {
	Bin   map[string]fixedFile    `json:"bin"`
	Media map[string]mediaAppJSON `json:"media"`
}

// fixedFile is a file brought into the store by a fixed-output derivation: its hash is what
// lets an unsandboxed builder copy it in while the store path still depends on its content.
type fixedFile struct {
	Source string `json:"source"`
	SHA256 string `json:"sha256"`
}

type mediaAppJSON struct {
	URL        string `json:"url"`
	Credential string `json:"credential"`
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
	if v.Exporters != nil {
		e, err := v.Exporters.normalized()
		if err != nil {
			return j, err
		}
		j.Exporters = &e
	}
	if v.Agenix != nil {
		a, err := v.Agenix.normalized()
		if err != nil {
			return j, err
		}
		j.Agenix = &a
	}
	for app, file := range v.Servarr {
		switch {
		case !slices.Contains(ServarrApps, app):
			return j, fmt.Errorf("servarr: application %q: want one of %s", app, strings.Join(ServarrApps, ", "))
		case !filepath.IsAbs(file) || strings.ContainsAny(file, plainUnsafe):
			// It becomes a LoadCredential=apikey:<file> line.
			return j, fmt.Errorf("servarr: %s: key file %q: an absolute path without spaces, quotes, colons or %%", app, file)
		}
	}
	if v.Servarr != nil {
		j.Servarr = &servarrJSON{Apps: v.Servarr}
	}
	return j, nil
}

// normalized hashes the .age files and checks what goes into the unit's command line.
func (a Agenix) normalized() (agenixJSON, error) {
	j := agenixJSON{Mode: a.Mode, Identity: a.Identity, Secrets: map[string]fixedFile{}}
	if j.Identity == "" {
		j.Identity = "/etc/ssh/ssh_host_ed25519_key"
	}
	if j.Mode != AgenixUnit && j.Mode != AgenixActivation {
		return j, fmt.Errorf("agenix: mode %q: want %s or %s", a.Mode, AgenixUnit, AgenixActivation)
	}
	if !filepath.IsAbs(j.Identity) || strings.ContainsAny(j.Identity, plainUnsafe) {
		return j, fmt.Errorf("agenix: identity %q: an absolute path without spaces, quotes or %%", j.Identity)
	}
	for name, file := range a.Secrets {
		if name == "" || strings.ContainsAny(name, "/"+plainUnsafe) {
			return j, fmt.Errorf("agenix: secret name %q: a plain file name", name)
		}
		sum, err := fileSHA256(file)
		if err != nil {
			return j, fmt.Errorf("agenix: secret %s: %w", name, err)
		}
		j.Secrets[name] = fixedFile{Source: file, SHA256: sum}
	}
	return j, nil
}

// plainUnsafe are the characters a word of a unit's command line or a LoadCredential= line
// must not hold (no quoting, no specifiers).
const plainUnsafe = " \t\n:\"'$`\\%|"

// normalized hashes the binaries (a changed build is a new variant) and checks what ends up in
// the nix expression and the unit files.
func (e Exporters) normalized() (exportersJSON, error) {
	j := exportersJSON{Bin: map[string]fixedFile{}, Media: map[string]mediaAppJSON{}}
	if !filepath.IsAbs(e.Bin) {
		return j, fmt.Errorf("exporters: bin directory %q: must be absolute (nix builds from it)", e.Bin)
	}
	for _, p := range ExporterPrograms() {
		path := filepath.Join(e.Bin, p)
		sum, err := fileSHA256(path)
		if err != nil {
			return j, fmt.Errorf("exporters: %w", err)
		}
		j.Bin[p] = fixedFile{Source: path, SHA256: sum}
	}
	for app, a := range e.Media {
		switch {
		case !slices.Contains(mediaApps, app):
			return j, fmt.Errorf("exporters: media application %q: want one of %s", app, strings.Join(mediaApps, ", "))
		case !filepath.IsAbs(a.Credential) || strings.ContainsAny(a.Credential, plainUnsafe):
			// It becomes a LoadCredential=<app>:<file> line.
			return j, fmt.Errorf("exporters: media %s: credential %q: an absolute path without spaces, quotes, colons or %%", app, a.Credential)
		case a.URL == "":
			return j, fmt.Errorf("exporters: media %s: no URL", app)
		}
		j.Media[app] = mediaAppJSON{URL: a.URL, Credential: a.Credential}
	}
	return j, nil
}

// mediaApps are the applications the media exporter knows (modules/lib/exporter-services.nix's
// credentialKeys, internal/media's App).
var mediaApps = []string{"jellyfin", "plex", "tautulli", "sonarr", "radarr", "lidarr", "prowlarr"}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// flakeFiles are copied from nix/localfleet into each fleet's flake directory, which must be
// self-contained: a pure flake evaluation cannot read outside it.
func flakeFiles() []string {
	return []string{"flake.nix", "system.nix", "defaults.nix", "units.nix", "toplevel.sh", "activate.sh", "switch-to-configuration.sh", "stage-2.sh", "agenix-install.sh"}
}

// hubFiles are copied from the repository (paths relative to its nix/) into the flake's hub/,
// flat: the exporters' and the *arr key writer's unit settings the NixOS modules use, and the
// offline lib they are evaluated with.
func hubFiles() []string {
	return []string{"../modules/lib/exporter-services.nix", "../modules/lib/systemd-hardening.nix", "../modules/lib/servarr-apikey.nix", "options-lib.nix"}
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
	copies := map[string]string{}
	for _, name := range flakeFiles() {
		copies[filepath.Join(src, name)] = filepath.Join(dst, name)
	}
	for _, name := range hubFiles() {
		copies[filepath.Join(src, "..", name)] = filepath.Join(dst, "hub", filepath.Base(name))
	}
	if err := os.MkdirAll(filepath.Join(dst, "hub"), 0o755); err != nil {
		return fmt.Errorf("flake: %w", err)
	}
	for from, to := range copies {
		b, err := os.ReadFile(from)
		if err != nil {
			return fmt.Errorf("flake: %w", err)
		}
		if err := os.WriteFile(to, b, 0o644); err != nil {
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
	h, err := f.Host(name)
	if err != nil {
		return err
	}
	if j.Exporters != nil && !h.Systemd {
		return fmt.Errorf("localfleet %s: exporters run as units: a systemd host only", name)
	}
	if j.Servarr != nil && !h.Systemd {
		return fmt.Errorf("localfleet %s: servarr runs as units: a systemd host only", name)
	}
	if j.Agenix != nil && j.Agenix.Mode == AgenixUnit && !h.Systemd {
		// A lightweight host has no systemd to run the unit; the activation mode runs on
		// both (internal/rotation delivers rotated secrets to lightweight hosts that way).
		return fmt.Errorf("localfleet %s: agenix mode %s: a systemd host only (lightweight hosts: %s)", name, AgenixUnit, AgenixActivation)
	}
	return f.updateVariant(name, func(variantJSON) (variantJSON, error) { return j, nil })
}

// Variant is the variant the host's next build produces (what SetVariant or Stage last chose),
// without its Exporters, Agenix and Servarr, which are not read back.
func (f *Fleet) Variant(name string) (Variant, error) {
	var v Variant
	err := f.updateVariant(name, func(j variantJSON) (variantJSON, error) {
		v = j.variant()
		return j, nil
	})
	return v, err
}

// Stage prepares a change of the named host for a rehearsal: its next system is its current
// variant with change applied and a generation marker one higher, so that deploy:plan shows a
// new system and a deploy rolls it out. Its exporters stay as they were, and its agenix secrets
// and servarr units unless change sets Agenix (a rotated secret a deploy brings to the host) or
// Servarr. It returns the staged variant.
func (f *Fleet) Stage(name string, change func(*Variant)) (Variant, error) {
	var staged Variant
	err := f.updateVariant(name, func(old variantJSON) (variantJSON, error) {
		v := old.variant()
		if change != nil {
			change(&v)
		}
		v.Generation = old.Generation + 1
		j, err := v.normalized()
		if err != nil {
			return old, err
		}
		j.Exporters = old.Exporters
		if v.Agenix == nil {
			j.Agenix = old.Agenix
		}
		if v.Servarr == nil {
			j.Servarr = old.Servarr
		}
		staged = j.variant()
		return j, nil
	})
	return staged, err
}

// variant is the part of a Variant the JSON gives back as it was set.
func (j variantJSON) variant() Variant {
	return Variant{Generation: j.Generation, Kernel: j.Kernel, SSHD: j.SSHD, FailingUnit: j.FailingUnit,
		ActivationDelay: time.Duration(j.ActivationDelaySeconds) * time.Second, Systemd: j.Systemd}
}

// updateVariant replaces the host's entry of variants.json with what change makes of it,
// atomically and under the fleet's lock.
func (f *Fleet) updateVariant(name string, change func(variantJSON) (variantJSON, error)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.hostLocked(name); err != nil {
		return err
	}
	path := filepath.Join(f.FlakeDir(), "variants.json")
	variants := map[string]variantJSON{}
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, &variants)
	}
	if err != nil {
		return fmt.Errorf("localfleet %s: variants: %w", name, err)
	}
	old, ok := variants[name]
	if !ok {
		old, _ = Variant{}.normalized()
	}
	j, err := change(old)
	if err != nil {
		return fmt.Errorf("localfleet %s: %w", name, err)
	}
	if j == old {
		return nil
	}
	variants[name] = j
	b, err = json.MarshalIndent(variants, "", "  ")
	if err != nil {
		return fmt.Errorf("localfleet %s: variants: %w", name, err)
	}
	if err := renameio.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("localfleet %s: variants: %w", name, err)
	}
	return nil
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
	// The builds are tiny shell scripts: running them side by side beats the default of one.
	args := []string{"--max-jobs", "4", "--no-link", "--json"}
	for _, n := range names {
		args = append(args, flakeRef+"#"+Toplevel(n))
	}
	out, err := runNix(ctx, "build", args...)
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
// /nix/store/<hash>-nixos-system-<name>-25.11.localfleet-g<N> (see system.nix).
func systemHost(path string) string {
	base := filepath.Base(path)
	_, name, _ := strings.Cut(base, "-")
	name, ok := strings.CutPrefix(name, "nixos-system-")
	if !ok {
		return ""
	}
	if i := strings.LastIndex(name, "-25.11.localfleet-g"); i > 0 {
		return name[:i]
	}
	return ""
}

// copyToHostStore copies a closure from this machine's store straight into the host's store
// directory (a chroot store), which needs no running host.
func copyToHostStore(ctx context.Context, hostDir, path string) error {
	if _, err := runNix(ctx, "copy", "--no-check-sigs", "--to", "local?root="+hostDir, path); err != nil {
		return fmt.Errorf("copy %s: %w", path, err)
	}
	return nil
}

// runNix runs nix's subcommand op with the local fleet's settings (internal/nix Local: on the
// command line, and in the environment for the nix processes it starts) on this machine, and
// returns its stdout; the end of its stderr goes into the error, as run's does.
func runNix(ctx context.Context, op string, args ...string) ([]byte, error) {
	n := nix.On((&command.Executor{}).Local(), nix.Local())
	c := n.Cmd("nix", []string{op}, args...)
	c.Env = n.Settings.Env()
	res, err := n.Run(ctx, c)
	if xe, ok := errors.AsType[*command.ExitError](err); ok {
		return res.Stdout, fmt.Errorf("%s: exit status %d: %s", strings.Join(c.Args, " "), xe.ExitCode, strings.TrimSpace(lastLines(xe.Stderr, 15)))
	}
	return res.Stdout, err
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
