// Package hwconfig compares a host's committed hardware file with what the host detects now
// (the old test-hw-config): `nixos-generate-config --show-hardware-config` run on the host over
// ssh, and both files read the same way, by evaluating them as the module functions they are
// with a stand-in lib (mkDefault and friends), so that no nixpkgs is needed. What is compared
// is what decides whether the machine boots and mounts: file systems (device, type, options),
// swap, LUKS devices, the initrd's and the kernel's modules, the CPU microcode vendor and the
// platform. Devices named differently (by-label here, by-uuid there) count as the same when
// they resolve to the same block device on the host.
//
// Entry points: [Detect] fetches what the host detects, [Read] reads both files, [Resolve] names
// the block devices, [Compare] lists the differences and [Write] prints them.
package hwconfig

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

//go:embed read.nix
var readExpr string

// FileSystem is one fileSystems.<mount> entry.
type FileSystem struct {
	Device  string   `json:"device"`
	FSType  string   `json:"fsType"`
	Options []string `json:"options"`
}

// Hardware is the meaningful part of one hardware file.
type Hardware struct {
	FileSystems         map[string]FileSystem `json:"fileSystems"`
	Swap                []string              `json:"swap"`
	Luks                map[string]string     `json:"luks"`
	InitrdAvailable     []string              `json:"initrdAvailableKernelModules"`
	InitrdKernelModules []string              `json:"initrdKernelModules"`
	KernelModules       []string              `json:"kernelModules"`
	Microcode           []string              `json:"microcode"` // "amd", "intel"
	HostPlatform        string                `json:"hostPlatform"`
}

// Read evaluates hardware files (committed and detected alike) in one nix-instantiate call and
// returns their meaningful parts, in order.
func Read(ctx context.Context, local *command.Host, files ...string) ([]Hardware, error) {
	var list []string
	for _, f := range files {
		a, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		list = append(list, fmt.Sprintf("%q", a))
	}
	expr := "let read = " + readExpr + "; in map (f: read (import f)) [ " + strings.Join(list, " ") + " ]"
	args := append(append([]string{"nix-instantiate"}, nix.EvalArgs()...), "--eval", "--strict", "--json", "-E", expr)
	res, err := local.Run(ctx, command.Cmd{Args: args})
	if err != nil {
		if xe, ok := errors.AsType[*command.ExitError](err); ok {
			return nil, fmt.Errorf("read %s: %s", strings.Join(files, ", "), firstError(xe.Stderr))
		}
		return nil, fmt.Errorf("read %s: %w", strings.Join(files, ", "), err)
	}
	var out []Hardware
	if res.DryRun {
		return make([]Hardware, len(files)), nil
	}
	if err := json.Unmarshal(res.Stdout, &out); err != nil || len(out) != len(files) {
		return nil, fmt.Errorf("read %s: unexpected nix-instantiate output (%v)", strings.Join(files, ", "), err)
	}
	return out, nil
}

func firstError(stderr string) string {
	for _, l := range strings.Split(stderr, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "error:") {
			return l
		}
	}
	return strings.TrimSpace(stderr)
}

// Detect runs nixos-generate-config --show-hardware-config on the host and writes its output
// to a file in dir, returning the file.
func Detect(ctx context.Context, remote *command.Host, dir string) (string, error) {
	res, err := remote.Run(ctx, command.Cmd{Args: []string{"nixos-generate-config", "--show-hardware-config"}})
	if err != nil {
		return "", fmt.Errorf("%s: nixos-generate-config --show-hardware-config: %w", remote.Name(), err)
	}
	path := filepath.Join(dir, remote.Name()+"-detected.nix")
	if err := os.WriteFile(path, res.Stdout, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// Resolve asks the host which block device each device path is (readlink -f), so that two
// names of one device compare equal. Paths that do not resolve map to themselves.
func Resolve(ctx context.Context, remote *command.Host, devices []string) (map[string]string, error) {
	out := map[string]string{}
	if len(devices) == 0 {
		return out, nil
	}
	script := `for d in "$@"; do printf '%s\t%s\n' "$d" "$(readlink -f "$d" 2>/dev/null || echo "$d")"; done`
	res, err := remote.Run(ctx, command.Cmd{Args: append([]string{"sh", "-c", script, "resolve"}, devices...)})
	if err != nil {
		return nil, fmt.Errorf("%s: resolve devices: %w", remote.Name(), err)
	}
	for _, l := range strings.Split(string(res.Stdout), "\n") {
		if d, r, ok := strings.Cut(l, "\t"); ok && r != "" {
			out[d] = r
		}
	}
	return out, nil
}

// Devices lists every device path the hardware names.
func (h Hardware) Devices() []string {
	var out []string
	for _, fs := range h.FileSystems {
		out = append(out, fs.Device)
	}
	out = append(out, h.Swap...)
	for _, d := range h.Luks {
		out = append(out, d)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Difference is one meaningful difference.
type Difference struct {
	Field     string `json:"field"` // e.g. fileSystems."/".device
	Committed string `json:"committed"`
	Detected  string `json:"detected"`
}

// Compare lists the differences between the committed and the detected hardware; resolved maps
// device paths to the block devices they are (Resolve).
func Compare(committed, detected Hardware, resolved map[string]string) []Difference {
	var out []Difference
	add := func(field, c, d string) { out = append(out, Difference{field, c, d}) }
	same := func(a, b string) bool {
		if a == b {
			return true
		}
		ra, rb := resolved[a], resolved[b]
		return ra != "" && ra == rb && strings.HasPrefix(ra, "/dev/") && ra != a
	}
	mounts := map[string]bool{}
	for m := range committed.FileSystems {
		mounts[m] = true
	}
	for m := range detected.FileSystems {
		mounts[m] = true
	}
	for _, m := range sortedKeys(mounts) {
		c, cok := committed.FileSystems[m]
		d, dok := detected.FileSystems[m]
		f := fmt.Sprintf("fileSystems.%q", m)
		switch {
		case !cok:
			add(f, "(none)", d.Device+" "+d.FSType)
		case !dok:
			add(f, c.Device+" "+c.FSType, "(not mounted now)")
		default:
			if !same(c.Device, d.Device) {
				add(f+".device", c.Device, d.Device)
			}
			if c.FSType != d.FSType {
				add(f+".fsType", c.FSType, d.FSType)
			}
			if !sameSet(c.Options, d.Options) {
				add(f+".options", list(c.Options), list(d.Options))
			}
		}
	}
	if !sameSetBy(committed.Swap, detected.Swap, same) {
		add("swapDevices", list(committed.Swap), list(detected.Swap))
	}
	luks := map[string]bool{}
	for n := range committed.Luks {
		luks[n] = true
	}
	for n := range detected.Luks {
		luks[n] = true
	}
	for _, n := range sortedKeys(luks) {
		c, d := committed.Luks[n], detected.Luks[n]
		if !same(c, d) {
			add(fmt.Sprintf("boot.initrd.luks.devices.%q.device", n), orNone(c), orNone(d))
		}
	}
	for _, m := range []struct {
		field string
		c, d  []string
	}{
		{"boot.initrd.availableKernelModules", committed.InitrdAvailable, detected.InitrdAvailable},
		{"boot.initrd.kernelModules", committed.InitrdKernelModules, detected.InitrdKernelModules},
		{"boot.kernelModules", committed.KernelModules, detected.KernelModules},
	} {
		if missing, extra := setDiff(m.c, m.d); len(missing)+len(extra) > 0 {
			add(m.field, "lacks "+orNone(strings.Join(missing, " "))+"; has "+orNone(strings.Join(extra, " "))+" not detected", list(m.d))
		}
	}
	if !sameSet(committed.Microcode, detected.Microcode) {
		add("hardware.cpu.*.updateMicrocode", orNone(strings.Join(committed.Microcode, " ")), orNone(strings.Join(detected.Microcode, " ")))
	}
	if committed.HostPlatform != "" && detected.HostPlatform != "" && committed.HostPlatform != detected.HostPlatform {
		add("nixpkgs.hostPlatform", committed.HostPlatform, detected.HostPlatform)
	}
	return out
}

// Write prints the differences as a table, or that there are none.
func Write(w io.Writer, host, committedFile string, diffs []Difference) {
	if len(diffs) == 0 {
		fmt.Fprintf(w, "%s: %s matches what nixos-generate-config detects (file systems, swap, LUKS, kernel modules, microcode)\n", host, committedFile)
		return
	}
	fmt.Fprintf(w, "%s: %s differs from what nixos-generate-config detects on the host now:\n", host, committedFile)
	for _, d := range diffs {
		fmt.Fprintf(w, "  %s\n    committed: %s\n    detected:  %s\n", d.Field, d.Committed, d.Detected)
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func setDiff(committed, detected []string) (missing, extra []string) {
	for _, d := range detected {
		if !slices.Contains(committed, d) {
			missing = append(missing, d)
		}
	}
	for _, c := range committed {
		if !slices.Contains(detected, c) {
			extra = append(extra, c)
		}
	}
	return missing, extra
}

func sameSet(a, b []string) bool {
	m, e := setDiff(a, b)
	return len(m)+len(e) == 0
}

func sameSetBy(a, b []string, eq func(x, y string) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y string) bool { return eq(x, y) }) {
			return false
		}
	}
	return true
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "[ ]"
	}
	return "[ " + strings.Join(xs, " ") + " ]"
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
