package nixosmetrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"

	"github.com/prometheus/client_golang/prometheus"
)

// microVMsFile lists the host's declared [[microvm]] guests; the microvm feature writes it
// (modules/virtualization/microvm.nix) from host.toml, the same tables the hub reads.
const microVMsFile = "/etc/hub/microvms.json"

// DefaultMicroVMStateDir is microvm.nix's microvm.stateDir.
const DefaultMicroVMStateDir = "/var/lib/microvms"

// declaredVM is one entry of microVMsFile.
type declaredVM struct {
	Name      string `json:"name"`
	Autostart bool   `json:"autostart"`
	VCPU      int    `json:"vcpu"`
	MemoryMiB int    `json:"memory_mib"`
}

// MicroVMCollector exports each declared guest's state. A guest runs while <state dir>/<name>/
// booted exists: microvm@NAME.service links it in its preStart and removes it in its postStop
// (microvm.nix's host module), so it is the unit's state without asking systemd.
type MicroVMCollector struct {
	fs       FS
	stateDir string

	declared, autostart, running, vcpus, memory *prometheus.Desc
}

// NewMicroVMCollector reads microVMsFile and the guests' state under stateDir (both inside fsys).
func NewMicroVMCollector(fsys FS, stateDir string) *MicroVMCollector {
	if stateDir == "" {
		stateDir = DefaultMicroVMStateDir
	}
	return &MicroVMCollector{
		fs: fsys, stateDir: stateDir,
		declared:  desc("microvm_declared", "A [[microvm]] guest declared for this host (/etc/hub/microvms.json).", "vm"),
		autostart: desc("microvm_autostart", "Whether the guest starts with the host (host.toml autostart); the MicroVMDown alert watches these.", "vm"),
		running:   desc("microvm_running", "Whether the guest runs: its microvm@ unit's booted link exists in the state directory.", "vm"),
		vcpus:     desc("microvm_vcpus", "Virtual CPUs the guest is declared with.", "vm"),
		memory:    desc("microvm_memory_bytes", "Memory the guest is declared with.", "vm"),
	}
}

// Update sends one set of series per declared guest; a host without the file has none.
func (c *MicroVMCollector) Update(_ context.Context, ch chan<- prometheus.Metric) error {
	b, err := c.fs.readSmall(microVMsFile)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errDangling) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("microvms: %w", err)
	}
	var vms []declaredVM
	if err := json.Unmarshal(b, &vms); err != nil {
		return fmt.Errorf("microvms: %s: %w", microVMsFile, err)
	}
	for _, vm := range vms {
		if vm.Name == "" || path.Base(vm.Name) != vm.Name {
			return fmt.Errorf("microvms: %s: bad guest name %q", microVMsFile, vm.Name)
		}
		_, err := os.Lstat(c.fs.host(path.Join(c.stateDir, vm.Name, "booted")))
		ch <- gauge(c.declared, 1, vm.Name)
		ch <- gauge(c.autostart, boolf(vm.Autostart), vm.Name)
		ch <- gauge(c.running, boolf(err == nil), vm.Name)
		ch <- gauge(c.vcpus, float64(vm.VCPU), vm.Name)
		ch <- gauge(c.memory, float64(vm.MemoryMiB)*1024*1024, vm.Name)
	}
	return nil
}
