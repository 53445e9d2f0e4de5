package microvm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/parallel"
)

// Config says where a run's guests are.
type Config struct {
	Exec *command.Executor
	// LocalFleet is the local fleet's directory when the guests are on the local fleet
	// (HUB_FLEET=local): QEMU guests with the fleet's identity among their keys and their host
	// keys next to the fleet's. Empty: NixOS hosts running microvm.nix's units.
	LocalFleet string
}

// New is the manager of guests as a vm:* run needs it: the driver of their fleet; for QEMU
// guests the keys their systems install (the key the hub logs in to their hosts with, the local
// fleet's identity, and the [users] authorized_keys of their hosts); and the known_hosts file
// their host keys go to (beside the local fleet's own known_hosts, or .hub/microvm/known_hosts).
func New(c Config, guests []Guest) (*Manager, error) {
	m := &Manager{Exec: c.Exec, Driver: Systemd, KnownHosts: filepath.Join(".hub", "microvm", "known_hosts")}
	if c.LocalFleet == "" {
		return m, nil
	}
	m.Driver, m.KnownHosts = QEMU, filepath.Join(c.LocalFleet, "microvm_known_hosts")
	if pub, err := os.ReadFile(filepath.Join(c.LocalFleet, "id_ed25519.pub")); err == nil {
		m.Keys = append(m.Keys, strings.TrimSpace(string(pub)))
	}
	seen := map[string]bool{}
	for _, g := range guests {
		for _, k := range g.Host.Users.AuthorizedKeys {
			if !seen[k] {
				seen[k] = true
				m.Keys = append(m.Keys, k)
			}
		}
	}
	if len(m.Keys) == 0 {
		return nil, errors.New("no key to install in the guests: start the local fleet (go tool mage fleet:up) or add [users] authorized_keys")
	}
	return m, nil
}

// Each runs job for every guest in parallel, one task per HOST/VM; o names the run and says
// where its output goes (Limit 0: 8 at a time; guests' failures never stop the others).
func (m *Manager) Each(ctx context.Context, guests []Guest, o parallel.Options, job func(ctx context.Context, t *parallel.Task, g Guest) error) (*parallel.Report, error) {
	names := make([]string, len(guests))
	byID := map[string]Guest{}
	for i, g := range guests {
		names[i], byID[g.ID()] = g.ID(), g
	}
	if o.Limit == 0 {
		o.Limit = 8
	}
	o.KeepGoing = true
	return parallel.Run(ctx, names, func(ctx context.Context, t *parallel.Task) error {
		return job(ctx, t, byID[t.Host()])
	}, o)
}

// SetRow puts a guest's status into its summary row.
func SetRow(t *parallel.Task, g Guest, st Status, now time.Time) {
	t.Set("state", st.State)
	t.Set("vcpu", fmt.Sprint(st.VCPU))
	t.Set("mem", fmt.Sprintf("%dMiB", st.MemoryMiB))
	if st.Accel != "" {
		t.Set("accel", st.Accel)
	}
	if st.Generation != "" {
		t.Set("generation", st.Generation)
	}
	if up := st.Uptime(now); up > 0 {
		t.Set("uptime", up.String())
	}
	t.Set("ssh", fmt.Sprintf("%s:%d", g.Host.SSH.Destination, g.VM.SSHPort))
}

// BootTask is one guest's boot in a run (start, restart, update): boot, its row, and the
// guest's host key recorded for vm:ssh. A guest that does not boot has its console in the task's
// output and log, and one line in the summary.
func (m *Manager) BootTask(ctx context.Context, t *parallel.Task, g Guest, boot func(m *Manager, ctx context.Context, g Guest) (Status, error)) error {
	st, err := boot(m, ctx, g)
	if be, ok := errors.AsType[*BootError](err); ok {
		for _, line := range strings.Split(strings.TrimRight(be.Console, "\n"), "\n") {
			t.Logf("console: %s", line)
		}
		return fmt.Errorf("%s did not boot (%s): its console is above and in go tool mage vm:logs %s", g.ID(), be.Reason, g.ID())
	}
	if err != nil {
		return err
	}
	SetRow(t, g, st, time.Now())
	return m.RecordStart(g, st)
}

// RecordStart records the host key a QEMU guest's start reported in m.KnownHosts; guests
// started in parallel share the file.
func (m *Manager) RecordStart(g Guest, st Status) error {
	if st.HostKey == "" {
		return nil
	}
	m.khMu.Lock()
	defer m.khMu.Unlock()
	return RecordHostKey(m.KnownHosts, g, st.HostKey)
}

// Unknown is the state of a guest whose host could not be asked.
const Unknown = "unknown"

// Statuses asks the guests' hosts in parallel, quietly, and returns the statuses in the guests'
// order; a guest whose host cannot be asked has its declared values and state Unknown.
func (m *Manager) Statuses(ctx context.Context, guests []Guest) []Status {
	sts := make([]Status, len(guests))
	index := map[string]int{}
	for i, g := range guests {
		index[g.ID()] = i
	}
	var mu sync.Mutex
	_, _ = m.Each(ctx, guests, parallel.Options{Name: "vm-list", Out: io.Discard}, func(ctx context.Context, t *parallel.Task, g Guest) error {
		st, err := m.Status(ctx, g)
		if err != nil {
			st = Status{Host: g.Host.Name, VM: g.VM.Name, State: Unknown, VCPU: g.VM.VCPU, MemoryMiB: g.VM.MemoryMiB, SSHPort: g.VM.SSHPort, Autostart: g.VM.Autostart}
		}
		mu.Lock()
		sts[index[g.ID()]] = st
		mu.Unlock()
		return err
	})
	return sts
}
