package nixosmetrics

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

type collectorFunc func(ch chan<- prometheus.Metric)

func (f collectorFunc) Describe(chan<- *prometheus.Desc)    {}
func (f collectorFunc) Collect(ch chan<- prometheus.Metric) { f(ch) }

// A running guest has microvm.nix's booted link, a stopped one has not; a host without the file
// exports nothing, and a broken file is an error, not silence.
func TestMicroVMCollector(t *testing.T) {
	root := t.TempDir()
	c := NewMicroVMCollector(FS{Root: root}, "")
	var updateErr error
	collect := collectorFunc(func(ch chan<- prometheus.Metric) { updateErr = c.Update(context.Background(), ch) })
	if n := testutil.CollectAndCount(collect); n != 0 || updateErr != nil {
		t.Fatalf("no file: %d series, %v", n, updateErr)
	}
	os.MkdirAll(filepath.Join(root, "etc/hub"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/hub/microvms.json"), []byte(`[{"name":"dev-vm","autostart":true,"vcpu":2,"memory_mib":2048},{"name":"test-vm","autostart":false,"vcpu":1,"memory_mib":512}]`), 0o644)
	os.MkdirAll(filepath.Join(root, "var/lib/microvms/dev-vm"), 0o755)
	os.MkdirAll(filepath.Join(root, "var/lib/microvms/test-vm"), 0o755)
	// The link's target is a store path outside the test root: only the link itself counts.
	if err := os.Symlink("/nix/store/abc-microvm-qemu-dev-vm", filepath.Join(root, "var/lib/microvms/dev-vm/booted")); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP hub_nixos_microvm_autostart Whether the guest starts with the host (host.toml autostart); the MicroVMDown alert watches these.
# TYPE hub_nixos_microvm_autostart gauge
hub_nixos_microvm_autostart{vm="dev-vm"} 1
hub_nixos_microvm_autostart{vm="test-vm"} 0
# HELP hub_nixos_microvm_memory_bytes Memory the guest is declared with.
# TYPE hub_nixos_microvm_memory_bytes gauge
hub_nixos_microvm_memory_bytes{vm="dev-vm"} 2.147483648e+09
hub_nixos_microvm_memory_bytes{vm="test-vm"} 5.36870912e+08
# HELP hub_nixos_microvm_running Whether the guest runs: its microvm@ unit's booted link exists in the state directory.
# TYPE hub_nixos_microvm_running gauge
hub_nixos_microvm_running{vm="dev-vm"} 1
hub_nixos_microvm_running{vm="test-vm"} 0
`
	if err := testutil.CollectAndCompare(collect, strings.NewReader(want), "hub_nixos_microvm_autostart", "hub_nixos_microvm_running", "hub_nixos_microvm_memory_bytes"); err != nil || updateErr != nil {
		t.Errorf("%v %v", err, updateErr)
	}
	os.WriteFile(filepath.Join(root, "etc/hub/microvms.json"), []byte(`[{"name":"../x"}]`), 0o644)
	testutil.CollectAndCount(collect)
	if updateErr == nil {
		t.Error("a guest name with a path was accepted")
	}
}
