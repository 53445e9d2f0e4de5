package microvm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/nixosmetrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// guestsFleet starts a one-host local fleet and declares the given [[microvm]] tables on it, in
// the generated host.toml as a user writes them in the repository's.
func guestsFleet(t *testing.T, tables string) (*localfleet.Fleet, *inventory.Fleet, *Manager) {
	t.Helper()
	fleettest.NeedMicroVM(t)
	// RepoHosts absent: the guests are the test's own, not the repository's p620 ones.
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620"}, RepoHosts: filepath.Join(t.TempDir(), "none")})
	fleettest.AppendHostTOML(t, lf, "p620", tables)
	inv := fleettest.Inventory(t, lf)
	key, err := os.ReadFile(lf.IdentityFile() + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	e := &command.Executor{}
	t.Cleanup(func() { e.Close() })
	return lf, inv, &Manager{Exec: e, Driver: QEMU, Keys: []string{strings.TrimSpace(string(key))}}
}

func guest(t *testing.T, inv *inventory.Fleet, id string) Guest {
	t.Helper()
	gs, err := Select(inv, id)
	if err != nil || len(gs) != 1 {
		t.Fatalf("Select(%s) = %v, %v", id, gs, err)
	}
	return gs[0]
}

// sshGuest runs a command in the guest the way vm:ssh does: the host's identity, the guest's key
// recorded from its start, strict checking.
func sshGuest(t *testing.T, lf *localfleet.Fleet, knownHosts string, g Guest, cmd string) string {
	t.Helper()
	args := append(SSHArgs(g, knownHosts, true), "-o", "BatchMode=yes", "--", cmd)
	run := func() (command.Result, error) {
		return (&command.Executor{}).Local().Run(context.Background(), command.Cmd{Args: args, Timeout: 60e9})
	}
	res, err := run()
	// Under load a TCG guest's session has ended with exit 141 (SIGPIPE, reported by the guest's
	// dropbear as the command's exit status, ssh's stderr empty) or 255 (the transport). What the
	// command printed and dropbear's log of the session (on the guest's console) go into the
	// test's log, to find out which; then one more try, said so.
	if exit, ok := errors.AsType[*command.ExitError](err); ok && (exit.ExitCode == 141 || exit.ExitCode == 255) {
		console := ""
		if h, err := lf.Host(g.Host.Name); err == nil {
			b, _ := os.ReadFile(filepath.Join(filepath.Dir(h.RunDir()), QEMUStateDir, g.VM.Name, "console.log"))
			lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
			console = strings.Join(lines[max(len(lines)-8, 0):], "\n")
		}
		t.Logf("ssh %s: %v (stdout %q); the guest's console ends:\n%s\ntrying once more", g.ID(), err, res.Stdout, console)
		res, err = run()
	}
	if err != nil {
		t.Fatalf("ssh %s: %v", g.ID(), err)
	}
	return strings.TrimSpace(string(res.Stdout))
}

// One boot of two guests on one host serves most checks (TCG boots take 20-60 s on 2 cores
// shared with other work): both come up side by side on their own ports, each running its own
// system from the host's store, each reached over SSH with strict host keys, each sees exactly
// its -smp CPUs and at most its -m memory; the exporter's microvm collector sees them run; an
// update replaces one guest with the next generation of its system (a new boot) without
// touching the other; stop leaves no QEMU process and the collector sees it.
func TestGuestsOnLocalFleet(t *testing.T) {
	lf, inv, m := guestsFleet(t, `
[[microvm]]
name = "dev"
vcpu = 2
memory_mib = 256
ssh_port = 2222
user = "dev"
shares = [{ source = "/tmp/hub-microvm-test-share", mount = "/home/dev/projects" }]

[[microvm]]
name = "small"
vcpu = 1
memory_mib = 192
ssh_port = 2223
`)
	ctx := context.Background()
	known := filepath.Join(t.TempDir(), "known_hosts")
	os.MkdirAll("/tmp/hub-microvm-test-share", 0o755)
	os.WriteFile("/tmp/hub-microvm-test-share/hello", []byte("from the host\n"), 0o644)
	t.Cleanup(func() { os.RemoveAll("/tmp/hub-microvm-test-share") })

	dev, small := guest(t, inv, "p620/dev"), guest(t, inv, "p620/small")
	// Create installs generation 1 of small's system without booting it; its start (generation
	// 0: the one it has) boots that system.
	created, err := m.Create(ctx, small)
	if err != nil || created.State != Stopped || created.Generation != "1" || !strings.HasSuffix(created.System, "-nixos-system-small-25.11.localfleet-g1") {
		t.Fatalf("create: %+v, %v", created, err)
	}
	var wg sync.WaitGroup
	sts := make([]Status, 2)
	errs := make([]error, 2)
	for i, g := range []Guest{dev, small} {
		wg.Add(1)
		go func() { defer wg.Done(); sts[i], errs[i] = m.Start(ctx, g, 1-i) }()
	}
	wg.Wait()
	for i, g := range []Guest{dev, small} {
		if errs[i] != nil {
			t.Fatalf("start %s: %v", g.ID(), errs[i])
		}
		st := sts[i]
		if st.State != Running || st.PID == 0 || (st.Accel != "kvm" && st.Accel != "tcg") || st.Generation != "1" || st.HostKey == "" {
			t.Fatalf("%s after start: %+v", g.ID(), st)
		}
		if g.ID() == small.ID() && st.System != created.System {
			t.Errorf("%s booted %s, created %s", g.ID(), st.System, created.System)
		}
		t.Logf("%s: running under %s", g.ID(), st.Accel)
		if err := RecordHostKey(known, g, st.HostKey); err != nil {
			t.Fatal(err)
		}
	}
	for i, g := range []Guest{dev, small} {
		// The guest runs its own system, built in the host's store: /run/current-system is that
		// toplevel, and the hostname and the user's key (the login itself) come from it.
		if !strings.HasSuffix(sts[i].System, "-nixos-system-"+g.VM.Name+"-25.11.localfleet-g1") {
			t.Errorf("%s: system %q", g.ID(), sts[i].System)
		}
		out := sshGuest(t, lf, known, g, "id -un; nproc; awk '/MemTotal/ {print $2}' /proc/meminfo; readlink /run/current-system; hostname")
		f := strings.Fields(out)
		if len(f) != 5 {
			t.Fatalf("%s answered %q", g.ID(), out)
		}
		kb, _ := strconv.Atoi(f[2])
		if f[0] != g.VM.User || f[1] != strconv.Itoa(g.VM.VCPU) || f[3] != sts[i].System || f[4] != g.VM.Name {
			t.Errorf("%s: user, cpus, system, hostname = %q, want %s %d %s %s", g.ID(), f, g.VM.User, g.VM.VCPU, sts[i].System, g.VM.Name)
		}
		// The kernel keeps some of -m for itself: MemTotal is below the limit, never above it.
		if kb > g.VM.MemoryMiB*1024 || kb < g.VM.MemoryMiB*1024/2 {
			t.Errorf("%s: MemTotal %d kB for memory_mib %d", g.ID(), kb, g.VM.MemoryMiB)
		}
	}
	if got := sshGuest(t, lf, known, dev, "cat /home/dev/projects/hello; ls /nix/.ro-store | grep -c nixos-system"); !strings.HasPrefix(got, "from the host\n") {
		t.Errorf("share and store in the guest: %q", got)
	}

	// What hub-nixos-exporter reports for the host: both guests run.
	exporterSees(t, lf, inv, map[string]int{"dev": 1, "small": 1})

	bootID := sshGuest(t, lf, known, dev, "cat /proc/sys/kernel/random/boot_id")
	st, err := m.Update(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	if st.Generation != "2" || st.PID == sts[0].PID || st.System == sts[0].System || !strings.HasSuffix(st.System, "-nixos-system-dev-25.11.localfleet-g2") {
		t.Errorf("after update: %+v (before: pid %d, system %s)", st, sts[0].PID, sts[0].System)
	}
	if got := sshGuest(t, lf, known, dev, "readlink /run/current-system; cat /proc/sys/kernel/random/boot_id"); got == st.System+"\n"+bootID || !strings.HasPrefix(got, st.System+"\n") {
		t.Errorf("after update the guest says %q, want the new system %s and a boot id other than %s", got, st.System, bootID)
	}
	if st, err := m.Status(ctx, small); err != nil || st.State != Running || st.PID != sts[1].PID {
		t.Errorf("the other guest after the update: %+v, %v", st, err)
	}
	logs, err := m.Logs(ctx, dev, 20)
	if err != nil || !strings.Contains(logs, "hub-guest: 2 cpus") {
		t.Errorf("logs: %v\n%s", err, logs)
	}

	for _, g := range []Guest{dev, small} {
		before, _ := m.Status(ctx, g)
		st, err := m.Stop(ctx, g)
		if err != nil || st.State != Stopped {
			t.Fatalf("stop %s: %+v, %v", g.ID(), st, err)
		}
		// The pid is the host's, in its own pid namespace: asked there, not in this test's (where
		// the same number is some other process, as a CI run once found).
		if out := fleettest.Sh(t, m.Exec, g.Host, `kill -0 "$1" 2>/dev/null && echo running || echo gone`, strconv.Itoa(before.PID)); out != "gone" {
			t.Errorf("%s: qemu %d still there after stop (%s on the host)", g.ID(), before.PID, out)
		}
		if g.ID() == dev.ID() {
			exporterSees(t, lf, inv, map[string]int{"dev": 0, "small": 1})
		}
	}
	if st, err := m.Destroy(ctx, dev); err != nil || st.State != Absent {
		t.Errorf("destroy: %+v, %v", st, err)
	}
}

// A guest whose kernel finds no init panics; the start fails in bounded time with the guest's
// console, and leaves no QEMU behind.
func TestGuestThatDoesNotBoot(t *testing.T) {
	_, inv, m := guestsFleet(t, `
[[microvm]]
name = "broken"
ssh_port = 2230
`)
	m.Append = "rdinit=/hub-no-such-init"
	m.BootTimeout = 60e9
	g := guest(t, inv, "p620/broken")
	_, err := m.Start(context.Background(), g, 1)
	var be *BootError
	if !errors.As(err, &be) {
		t.Fatalf("start = %v, want a BootError", err)
	}
	// QEMU exits on the panic's reboot (-no-reboot), or the driver sees the panic first.
	if !strings.Contains(be.Console, "Kernel panic") || !strings.Contains(be.Reason, "QEMU exited") && !strings.Contains(be.Reason, "kernel panicked") {
		t.Errorf("boot error without the console's panic:\nreason %q\n%s", be.Reason, be.Console)
	}
	if st, err := m.Status(context.Background(), g); err != nil || st.State != Stopped {
		t.Errorf("after the failed start: %+v, %v", st, err)
	}
}

// exporterSees checks what hub-nixos-exporter's microvm collector reports for p620's guests
// (hub_nixos_microvm_running per vm). Its root is the host's directory as this machine sees it
// (a lightweight host's run/ is its /run, where the QEMU driver keeps microvm.nix's booted
// links), with the /etc/hub/microvms.json the microvm feature writes, made from the same
// host.toml by modules/lib/microvm-guests.nix's exporterList.
func exporterSees(t *testing.T, lf *localfleet.Fleet, inv *inventory.Fleet, running map[string]int) {
	t.Helper()
	h, err := lf.Host("p620")
	if err != nil {
		t.Fatal(err)
	}
	ih, _ := inv.Host("p620")
	repo, _ := filepath.Abs("../..")
	expr := `(import ` + filepath.Join(repo, "modules/lib/microvm-guests.nix") + ` { host = builtins.fromTOML (builtins.readFile ` + ih.File + `); }).exporterList`
	res, err := (&command.Executor{}).Local().Run(context.Background(), command.Cmd{Args: []string{"nix-instantiate", "--eval", "--strict", "--json", "-E", expr}})
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(h.RunDir())
	if err := os.MkdirAll(filepath.Join(root, "etc/hub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc/hub/microvms.json"), res.Stdout, 0o644); err != nil {
		t.Fatal(err)
	}
	c := nixosmetrics.NewMicroVMCollector(nixosmetrics.FS{Root: root}, QEMUStateDir)
	var updateErr error
	collect := collectorFunc(func(ch chan<- prometheus.Metric) { updateErr = c.Update(context.Background(), ch) })
	want := "# HELP hub_nixos_microvm_running Whether the guest runs: its microvm@ unit's booted link exists in the state directory.\n# TYPE hub_nixos_microvm_running gauge\n"
	names := make([]string, 0, len(running))
	for vm := range running {
		names = append(names, vm)
	}
	slices.Sort(names)
	for _, vm := range names {
		want += fmt.Sprintf("hub_nixos_microvm_running{vm=%q} %d\n", vm, running[vm])
	}
	if err := testutil.CollectAndCompare(collect, strings.NewReader(want), "hub_nixos_microvm_running"); err != nil || updateErr != nil {
		t.Errorf("the exporter's microvm collector: %v %v", err, updateErr)
	}
}

type collectorFunc func(ch chan<- prometheus.Metric)

func (f collectorFunc) Describe(chan<- *prometheus.Desc)    {}
func (f collectorFunc) Collect(ch chan<- prometheus.Metric) { f(ch) }
