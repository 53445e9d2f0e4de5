package secrets

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/pkg/command"
	"github.com/nixos-hub/hub/pkg/localfleet"
	"github.com/nixos-hub/hub/pkg/localfleet/fleettest"
)

// TestLocalFleetStatusAndHostKeys runs secrets:status's script and secrets:hostKeys' scan against
// a real host of the local fleet: its own /run/agenix, its own sshd host key.
func TestLocalFleetStatusAndHostKeys(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p510"}}, "ssh-keyscan")
	inv := fleettest.Inventory(t, lf)
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
