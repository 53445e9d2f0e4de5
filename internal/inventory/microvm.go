package inventory

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// microVMFeature is the feature (modules/features.toml) that runs a host's [[microvm]] guests: its
// module turns each one into microvm.nix's microvm.vms.<name>.
const microVMFeature = "microvm"

// microVMStateDir is microvm.nix's microvm.stateDir: each guest lives in <dir>/<name>/ on its host.
const microVMStateDir = "/var/lib/microvms"

// MicroVM is one development VM declared in a host's [[microvm]] table. The NixOS module maps the
// same table onto microvm.vms.<name> (vcpu -> microvm.vcpu, memory_mib -> microvm.mem, ...), and
// the local fleet boots it with QEMU directly (internal/microvm).
type MicroVM struct {
	Name      string
	VCPU      int    // virtual CPUs (QEMU -smp)
	MemoryMiB int    // RAM in MiB (QEMU -m, microvm.mem)
	DiskMiB   int    // size of the guest's writable volume in MiB; 0: none
	DiskMount string // where the volume is mounted in the guest
	// SSHPort is the host port forwarded to the guest's port 22 (user-mode networking): the hub
	// reaches the guest through it, on the host's address.
	SSHPort  int
	User     string // the guest user vm:ssh logs in as; the host's authorized keys are installed for it
	Shares   []MicroVMShare
	Ports    []MicroVMPort // further host -> guest TCP forwards
	Features []string      // features of the guest (modules/features.toml), as a host's features
	// Autostart starts the guest with its host (microvm.autostart); the hub's alert fires for an
	// autostart guest that is not running.
	Autostart bool
	Line      int // the line of the VM's [[microvm]] header, for messages
}

// MicroVMShare is a host directory shared into the guest with 9p (microvm.shares).
type MicroVMShare struct {
	Source   string // directory on the host
	Mount    string // mount point in the guest
	ReadOnly bool
}

// Tag is the share's 9p mount tag: the last path element of its mount point plus its index,
// unique within the VM and within 9p's 31-byte limit.
func (s MicroVMShare) Tag(i int) string {
	base := strings.Trim(strings.ReplaceAll(path.Base(s.Mount), ".", "-"), "-")
	if len(base) > 24 {
		base = base[:24]
	}
	return fmt.Sprintf("s%d-%s", i, base)
}

// MicroVMPort is one forward of a host port to a guest port.
type MicroVMPort struct {
	Host  int
	Guest int
}

// StateDir is the guest's directory on its host (microvm.nix's layout).
func (v MicroVM) StateDir() string { return path.Join(microVMStateDir, v.Name) }

// microVM returns the host's VM with that name.
func (h *Host) microVM(name string) (MicroVM, bool) {
	i := slices.IndexFunc(h.MicroVMs, func(v MicroVM) bool { return v.Name == name })
	if i < 0 {
		return MicroVM{}, false
	}
	return h.MicroVMs[i], true
}

type rawMicroVM struct {
	Name      string            `toml:"name"`
	VCPU      *int              `toml:"vcpu"`
	MemoryMiB *int              `toml:"memory_mib"`
	DiskMiB   int               `toml:"disk_mib"`
	DiskMount string            `toml:"disk_mount"`
	SSHPort   int               `toml:"ssh_port"`
	User      string            `toml:"user"`
	Shares    []rawMicroVMShare `toml:"shares"`
	Ports     []rawMicroVMPort  `toml:"ports"`
	Features  []string          `toml:"features"`
	Autostart *bool             `toml:"autostart"`
}

type rawMicroVMShare struct {
	Source   string `toml:"source"`
	Mount    string `toml:"mount"`
	ReadOnly bool   `toml:"read_only"`
}

type rawMicroVMPort struct {
	Host  int `toml:"host"`
	Guest int `toml:"guest"`
}

// Defaults of a [[microvm]] table, microvm.nix's own where it has one (vcpu 1, mem 512).
const (
	defaultMicroVMVCPU      = 1
	defaultMicroVMMemoryMiB = 512
	defaultMicroVMDiskMount = "/data"
	defaultMicroVMUser      = "root"
	// minMicroVMMemoryMiB is what a kernel, the initramfs and sshd need to boot at all.
	minMicroVMMemoryMiB = 128
)

func microVMs(raw []rawMicroVM) []MicroVM {
	var vms []MicroVM
	for _, r := range raw {
		v := MicroVM{Name: r.Name, VCPU: defaultMicroVMVCPU, MemoryMiB: defaultMicroVMMemoryMiB,
			DiskMiB: r.DiskMiB, DiskMount: r.DiskMount, SSHPort: r.SSHPort, User: r.User,
			Features: r.Features, Autostart: true}
		if r.VCPU != nil {
			v.VCPU = *r.VCPU
		}
		if r.MemoryMiB != nil {
			v.MemoryMiB = *r.MemoryMiB
		}
		if r.Autostart != nil {
			v.Autostart = *r.Autostart
		}
		if v.DiskMount == "" {
			v.DiskMount = defaultMicroVMDiskMount
		}
		if v.User == "" {
			v.User = defaultMicroVMUser
		}
		for _, s := range r.Shares {
			v.Shares = append(v.Shares, MicroVMShare(s))
		}
		for _, p := range r.Ports {
			v.Ports = append(v.Ports, MicroVMPort(p))
		}
		vms = append(vms, v)
	}
	return vms
}

// validateMicroVMs checks each [[microvm]] table and what they share on the host: names, and the
// host ports their forwards listen on (two guests on one port: the second one cannot start).
func (h *Host) validateMicroVMs() []error {
	var errs []error
	names := map[string]bool{}
	hostPorts := map[int]string{} // port -> "vm ssh_port" / "vm ports[i]"
	if h.SSH.Port > 0 {
		hostPorts[h.SSH.Port] = "the host's ssh.port"
	}
	for i := range h.MicroVMs {
		v := &h.MicroVMs[i]
		v.Line = findNthTable(h.File, "microvm", i)
		bad := tableReporter(h.File, "microvm", i, v.Line, &errs)
		switch {
		case v.Name == "":
			bad("name", "missing (a name such as \"dev-vm\")")
		case !nameRe.MatchString(v.Name) || len(v.Name) > 32:
			bad("name", "%q must match %s and be at most 32 characters (it names a systemd unit and a directory)", v.Name, nameRe)
		case v.Name == h.Name:
			bad("name", "%q is the host's own name: a guest needs a name of its own", v.Name)
		case names[v.Name]:
			bad("name", "%q is the name of another microvm of this host", v.Name)
		}
		names[v.Name] = true
		if v.VCPU < 1 || v.VCPU > 64 {
			bad("vcpu", "%d virtual CPUs: must be 1-64", v.VCPU)
		}
		if v.MemoryMiB < minMicroVMMemoryMiB || v.MemoryMiB > 1<<20 {
			bad("memory_mib", "%d MiB: must be %d-%d (a guest's kernel and sshd need at least %d MiB)", v.MemoryMiB, minMicroVMMemoryMiB, 1<<20, minMicroVMMemoryMiB)
		}
		if v.DiskMiB < 0 {
			bad("disk_mib", "must not be negative (0: no volume)")
		}
		if !cleanAbs(v.DiskMount) || v.DiskMount == "/" {
			bad("disk_mount", "%q must be an absolute, clean path in the guest (not /)", v.DiskMount)
		}
		if v.User != "root" && !nameRe.MatchString(v.User) {
			bad("user", "%q must be root or match %s", v.User, nameRe)
		}
		claim := func(key string, port int, what string) {
			if port < 1 || port > 65535 {
				bad(key, "%d is not a port (1-65535)", port)
				return
			}
			if port < 1024 {
				bad(key, "%d is a privileged port: QEMU's user-mode forwards run unprivileged on a real host, use 1024-65535", port)
				return
			}
			if other, ok := hostPorts[port]; ok {
				bad(key, "host port %d is also %s", port, other)
				return
			}
			hostPorts[port] = what
		}
		if v.SSHPort == 0 {
			bad("ssh_port", "missing: the host port forwarded to the guest's sshd (e.g. 2222)")
		} else {
			claim("ssh_port", v.SSHPort, fmt.Sprintf("microvm %q's ssh_port", v.Name))
		}
		guestPorts := map[int]bool{22: true}
		for j, p := range v.Ports {
			claim("ports", p.Host, fmt.Sprintf("microvm %q's ports[%d]", v.Name, j))
			switch {
			case p.Guest < 1 || p.Guest > 65535:
				bad("ports", "ports[%d].guest %d is not a port (1-65535)", j, p.Guest)
			case guestPorts[p.Guest]:
				bad("ports", "ports[%d].guest %d is already forwarded (22 is ssh_port's)", j, p.Guest)
			}
			guestPorts[p.Guest] = true
		}
		mounts := map[string]bool{v.DiskMount: v.DiskMiB > 0}
		for j, s := range v.Shares {
			if !cleanAbs(s.Source) {
				bad("shares", "shares[%d].source %q must be an absolute, clean path on the host", j, s.Source)
			}
			switch {
			case !cleanAbs(s.Mount) || s.Mount == "/" || s.Mount == "/nix/store":
				bad("shares", "shares[%d].mount %q must be an absolute, clean path in the guest (not / or /nix/store)", j, s.Mount)
			case mounts[s.Mount]:
				bad("shares", "shares[%d].mount %q is mounted twice in the guest", j, s.Mount)
			}
			mounts[s.Mount] = true
		}
		seen := map[string]bool{}
		for j, f := range v.Features {
			switch {
			case !nameRe.MatchString(f):
				bad("features", "features[%d] %q must match %s", j, f, nameRe)
			case f == microVMFeature:
				bad("features", "%q inside a guest: guests do not nest (no KVM in the guest)", f)
			case seen[f]:
				bad("features", "%q listed twice", f)
			}
			seen[f] = true
		}
	}
	return errs
}

func cleanAbs(p string) bool {
	return path.IsAbs(p) && path.Clean(p) == p && !strings.ContainsAny(p, "\n\"'\\ ")
}

// CheckMicroVMFeature reports the hosts whose [[microvm]] tables and microvm feature disagree
// (tables without the feature run nowhere). Like CheckBackupFeature it is not part of Load: the
// local fleet's inventory lends features without the tables.
func (f *Fleet) CheckMicroVMFeature() []error {
	var errs []error
	for _, h := range f.Hosts {
		if len(h.MicroVMs) > 0 && !slices.Contains(h.Features, microVMFeature) {
			errs = append(errs, &Error{File: h.File, Line: h.MicroVMs[0].Line, Field: "microvm",
				Msg: fmt.Sprintf("[[microvm]] guests need feature %q in features: without it nothing runs them on the host", microVMFeature)})
		}
	}
	return errs
}
