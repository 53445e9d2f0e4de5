// Package installer builds the per-host installer images and writes them to USB sticks. Writing
// is where a slip costs a machine, so every write goes through checkTarget, which refuses the
// disk the system runs from, anything mounted, a partition, a non-removable disk (unless forced)
// and a device too small for the image, and through Confirm, which wants the device's name typed.
//
// Entry points: [Build] builds a host's installer (with the nix [Settings] of the flake), [List]
// and [WriteList] show the built ones and [Clean] drops them; [ListDevices], [Candidates] and
// [WriteDevices] show where one could go; [WriteImage] writes it to a device after the checks and
// the confirmation, and [Verify] and [FileSHA256] prove what was written, with [ProgressPrinter]
// for the progress.
package installer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/sysdeps"
)

// tools are what the iso:* targets run.
var tools = []sysdeps.Tool{
	sysdeps.Lsblk,
	sysdeps.Nix,
}

// lsblkArgs is the one lsblk call the package parses: bytes, the device tree, every mountpoint.
var lsblkArgs = []string{"lsblk", "-J", "-b", "-o", "NAME,PATH,SIZE,MODEL,TRAN,RM,TYPE,MOUNTPOINTS,HOTPLUG"}

// Device is a block device as lsblk reports it, with its partitions (or holders) as children.
type Device struct {
	Name        string   `json:"name"`
	Path        string   `json:"path"`
	Size        flexInt  `json:"size"`
	Model       string   `json:"model"`
	Tran        string   `json:"tran"`
	Removable   flexBool `json:"rm"`
	Type        string   `json:"type"`
	Mountpoints []string `json:"mountpoints"`
	Hotplug     flexBool `json:"hotplug"`
	Children    []Device `json:"children"`
}

// flexBool reads lsblk's booleans, which older util-linux prints as "0"/"1" strings.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch strings.Trim(string(data), `"`) {
	case "true", "1":
		*b = true
	case "false", "0", "null", "":
		*b = false
	default:
		return fmt.Errorf("lsblk: not a boolean: %s", data)
	}
	return nil
}

// flexInt reads lsblk's sizes, which older util-linux prints as strings even with -J -b.
type flexInt int64

func (n *flexInt) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(data), `"`)
	if s == "null" || s == "" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("lsblk: not a size in bytes: %s", data)
	}
	*n = flexInt(v)
	return nil
}

// parseLsblk reads the output of lsblkArgs.
func parseLsblk(data []byte) ([]Device, error) {
	var out struct {
		Devices []Device `json:"blockdevices"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("parsing lsblk -J: %w", err)
	}
	var clean func(ds []Device)
	clean = func(ds []Device) {
		for i := range ds {
			// lsblk prints [null] for "not mounted".
			ds[i].Mountpoints = slices.DeleteFunc(ds[i].Mountpoints, func(s string) bool { return s == "" })
			clean(ds[i].Children)
		}
	}
	clean(out.Devices)
	return out.Devices, nil
}

// ListDevices runs lsblk on h.
func ListDevices(ctx context.Context, h *command.Host) ([]Device, error) {
	res, err := h.Run(ctx, command.Cmd{Args: lsblkArgs})
	if err != nil {
		return nil, fmt.Errorf("listing block devices: %w", err)
	}
	return parseLsblk(res.Stdout)
}

// wholeDisk reports whether an image may be written to the device at all.
func (d Device) wholeDisk() bool { return d.Type == "disk" || d.Type == "loop" }

// mounts lists "path on mountpoint" for the device and everything below it.
func (d Device) mounts() []string {
	var m []string
	for _, mp := range d.Mountpoints {
		m = append(m, d.Path+" on "+mp)
	}
	for _, c := range d.Children {
		m = append(m, c.mounts()...)
	}
	return m
}

// systemMounts are the mountpoints that make a disk the one the system runs from.
var systemMounts = []string{"/", "/boot", "/boot/efi", "/efi", "/nix", "/nix/store", "[SWAP]"}

// systemMounts lists the system mountpoints held by the device or anything below it.
func (d Device) systemMounts() []string {
	var m []string
	for _, mp := range d.Mountpoints {
		if slices.Contains(systemMounts, mp) {
			m = append(m, mp)
		}
	}
	for _, c := range d.Children {
		m = append(m, c.systemMounts()...)
	}
	return m
}

// Candidates are the whole disks an installer could go to: removable or hot-pluggable, not
// holding the system.
func Candidates(devs []Device) []Device {
	var out []Device
	for _, d := range devs {
		if d.wholeDisk() && bool(d.Removable || d.Hotplug) && len(d.systemMounts()) == 0 && d.Size > 0 {
			out = append(out, d)
		}
	}
	return out
}

// WriteDevices prints the devices as a table.
func WriteDevices(w io.Writer, devs []Device) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEVICE\tSIZE\tMODEL\tTRANSPORT\tREMOVABLE\tMOUNTED")
	for _, d := range devs {
		mounted := "-"
		if m := d.mounts(); len(m) > 0 {
			mounted = strings.Join(m, ", ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Path, sizeHuman(int64(d.Size)), orDash(strings.TrimSpace(d.Model)), orDash(d.Tran), yesNo(bool(d.Removable || d.Hotplug)), mounted)
	}
	return tw.Flush()
}

// find looks a device up by path or name anywhere in the tree.
func find(devs []Device, path string) (Device, bool) {
	for _, d := range devs {
		if d.Path == path || "/dev/"+d.Name == path {
			return d, true
		}
		if c, ok := find(d.Children, path); ok {
			return c, true
		}
	}
	return Device{}, false
}

// checkTarget decides whether image bytes may be written to the device at path. Each refusal
// says exactly why; force only overrides the removable-disk rule.
func checkTarget(devs []Device, path string, imageSize int64, force bool) (Device, error) {
	d, ok := find(devs, path)
	if !ok {
		return Device{}, fmt.Errorf("refusing to write to %s: not a block device lsblk knows (iso:devices lists the candidates)", path)
	}
	if !d.wholeDisk() {
		return d, fmt.Errorf("refusing to write to %s: it is a %s, not a whole disk", path, d.Type)
	}
	if sys := d.systemMounts(); len(sys) > 0 {
		return d, fmt.Errorf("refusing to write to %s: it holds the running system (%s)", path, strings.Join(sys, ", "))
	}
	if m := d.mounts(); len(m) > 0 {
		return d, fmt.Errorf("refusing to write to %s: it is mounted (%s); unmount it first", path, strings.Join(m, ", "))
	}
	if !bool(d.Removable || d.Hotplug) && !force {
		return d, fmt.Errorf("refusing to write to %s: not a removable disk; pass -force if you are sure it is the right one", path)
	}
	if int64(d.Size) < imageSize {
		return d, fmt.Errorf("refusing to write to %s: the device has %d bytes, the image needs %d", path, d.Size, imageSize)
	}
	return d, nil
}

func sizeHuman(n int64) string {
	const unit = 1000 // as disks are sold
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
