package secrets

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/pkg/command"
	"github.com/nixos-hub/hub/pkg/inventory"
	"github.com/nixos-hub/hub/pkg/localfleet"
)

// TestLocalFleetStatusAndHostKeys runs secrets:status's script and secrets:hostKeys' scan against
// a real host of the local fleet: its own /run/agenix, its own sshd host key.
func TestLocalFleetStatusAndHostKeys(t *testing.T) {
	if os.Geteuid() != 0 || testing.Short() {
		t.Skip("integration test: the local fleet needs root")
	}
	for _, tool := range []string{"nix", "unshare", "ssh", "ssh-keyscan"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("/tmp", "hs")
	if err != nil {
		t.Fatal(err)
	}
	lf, err := localfleet.Up(ctx, localfleet.Config{Dir: dir, Hosts: []string{"p510"}})
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	t.Cleanup(func() { lf.Down(context.Background()) })
	inv, err := inventory.Load(lf.InventoryDir())
	if err != nil {
		t.Fatal(err)
	}
	h, _ := inv.Host("p510")
	lh, _ := lf.Host("p510")
	e := &command.Executor{}
	defer e.Close()

	// What agenix would have decrypted: a file in the host's own /run/agenix.
	agenix := filepath.Join(lh.Dir, "run", "agenix")
	os.MkdirAll(agenix, 0o751)
	os.WriteFile(filepath.Join(agenix, "restic-password"), []byte("x"), 0o400)
	res, err := e.SSH(h.Name, h.SSH).Run(ctx, command.Cmd{Args: []string{"sh", "-c", StatusScript}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := ParseStatus(res.Stdout)
	if err != nil {
		t.Fatal(err)
	}
	if st.Unit != "no systemd" || st.NoDir || len(st.Files) != 1 ||
		st.Files[0] != (RemoteFile{Name: "restic-password", Mode: "400", Owner: "root", Group: "root"}) {
		t.Errorf("status = %+v, want no systemd and restic-password 400 root root", st)
	}

	pub, err := os.ReadFile(filepath.Join(lh.Dir, "ssh_host_ed25519_key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	hostKey := strings.Join(strings.Fields(string(pub))[:2], " ")
	rules := func(key string) *Rules {
		evaluated, _ := json.Marshal(map[string]any{"a.age": map[string]any{"publicKeys": []string{key}}})
		src := []byte("let\n  p510 = \"" + key + "\";\nin { \"a.age\".publicKeys = [ p510 ]; }\n")
		r, err := ParseRules("/s/secrets.nix", evaluated, src)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	drift, err := ScanHostKeys(ctx, e.Local(), rules(hostKey), h)
	if err != nil || len(drift) != 0 {
		t.Errorf("matching key: drift %q, err %v", drift, err)
	}
	other := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2e4lM7hZr0Ex6vJkQ4rq2k0h6y9gkqYc4x0d5vQYgZ"
	drift, err = ScanHostKeys(ctx, e.Local(), rules(other), h)
	if err != nil || len(drift) != 2 || !strings.Contains(drift[0], "which the host does not present") || !strings.Contains(drift[1], hostKey) {
		t.Errorf("stale key: drift %q, err %v; want the stale key named and the host's key to paste", drift, err)
	}
}
