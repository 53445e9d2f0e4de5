package generations

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/pkg/command"
	"github.com/nixos-hub/hub/pkg/inventory"
	"github.com/nixos-hub/hub/pkg/localfleet"
)

// On a freshly installed local-fleet host the profile has generation 1, current, and a
// rollback has nowhere to go.
func TestFleetHostGenerations(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the local fleet needs root")
	}
	for _, tool := range []string{"nix", "unshare", "ssh"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	dir, err := os.MkdirTemp("/tmp", "hg")
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(dir)
	lf, err := localfleet.Up(context.Background(), localfleet.Config{Dir: dir, Hosts: []string{"hp"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := lf.Down(context.Background()); err != nil {
			t.Errorf("down: %v", err)
		}
	})
	inv, err := inventory.Load(lf.InventoryDir())
	if err != nil {
		t.Fatal(err)
	}
	h, _ := inv.Host("hp")
	e := &command.Executor{}
	defer e.Close()
	remote := e.SSH(h.Name, h.SSH)
	gens, err := List(t.Context(), remote)
	if err != nil {
		t.Fatal(err)
	}
	if len(gens) != 1 || gens[0].Number != 1 || !gens[0].Current {
		t.Fatalf("generations = %+v", gens)
	}
	if _, err := Rollback(t.Context(), remote, 0); err == nil || !strings.Contains(err.Error(), "host hp: rollback: generation 1 is the oldest") {
		t.Errorf("rollback: %v", err)
	}
	if _, err := Rollback(t.Context(), remote, 7); err == nil || !strings.Contains(err.Error(), "no generation 7 (the profile has 1)") {
		t.Errorf("rollback to 7: %v", err)
	}
}
