package microvm

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nixos-hub/hub/internal/nix"
)

// guestSpec is guest.nix's spec: what of the guest's [[microvm]] table its system carries.
type guestSpec struct {
	Name       string       `json:"name"`
	Host       string       `json:"host"`
	Generation int          `json:"generation"`
	User       string       `json:"user"`
	Keys       []string     `json:"keys"`
	Features   []string     `json:"features"`
	Shares     []guestShare `json:"shares"`
	Ports      []guestPort  `json:"ports"`
	Disk       *guestDisk   `json:"disk"`
	VCPU       int          `json:"vcpu"`
	MemoryMiB  int          `json:"memoryMiB"`
	SSHPort    int          `json:"sshPort"`
}

type guestShare struct {
	Tag      string `json:"tag"`
	Mount    string `json:"mount"`
	ReadOnly bool   `json:"readOnly"`
}

type guestPort struct {
	Host  int `json:"host"`
	Guest int `json:"guest"`
}

type guestDisk struct {
	Mount string `json:"mount"`
}

// spec is generation gen of g's system as guest.nix takes it, with the manager's keys.
func (m *Manager) spec(g Guest, gen int) ([]byte, error) {
	s := guestSpec{Name: g.VM.Name, Host: g.Host.Name, Generation: gen, User: g.VM.User,
		Keys: append([]string{}, m.Keys...), Features: append([]string{}, g.VM.Features...),
		Shares: []guestShare{}, Ports: []guestPort{}, VCPU: g.VM.VCPU, MemoryMiB: g.VM.MemoryMiB, SSHPort: g.VM.SSHPort}
	for i, sh := range g.VM.Shares {
		s.Shares = append(s.Shares, guestShare{Tag: sh.Tag(i), Mount: sh.Mount, ReadOnly: sh.ReadOnly})
	}
	for _, p := range g.VM.Ports {
		s.Ports = append(s.Ports, guestPort{Host: p.Host, Guest: p.Guest})
	}
	if g.VM.DiskMiB > 0 {
		s.Disk = &guestDisk{Mount: g.VM.DiskMount}
	}
	return json.Marshal(s)
}

// GCRoot is the link that keeps the guest's newest built system alive in its host's store
// (nix-build's out link); hub-microvm adds microvm.nix's current and booted roots under
// /nix/var/nix/gcroots/microvm/ when it installs and boots one.
func GCRoot(vm string) string { return "/nix/var/nix/gcroots/microvm-build-" + vm }

// BuildSystem builds generation gen of the guest's system (guest.nix) in its host's store, with
// the host's own nix, and returns the toplevel (QEMU driver).
func (m *Manager) BuildSystem(ctx context.Context, g Guest, gen int) (string, error) {
	spec, err := m.spec(g, gen)
	if err != nil {
		return "", fmt.Errorf("%s: system: %w", g.ID(), err)
	}
	// A remote host's nix runs with its own configuration (internal/nix: On(host, Settings{})).
	n := nix.On(m.host(g), nix.Settings{})
	out, err := n.BuildExpr(ctx, guestExpr, "toplevel", map[string]string{"spec": string(spec)}, GCRoot(g.VM.Name), 5*time.Minute)
	if err != nil {
		return "", fmt.Errorf("%s: system generation %d: %w", g.ID(), gen, err)
	}
	return out, nil
}
