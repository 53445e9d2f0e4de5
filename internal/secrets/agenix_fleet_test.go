package secrets

import (
	"context"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/nix"
)

// TestSystemdHostAgenix runs secrets:status and secrets:fix (hostStatus, fix: the hub's ssh path)
// against a systemd host of the local fleet whose secrets are decrypted into /run/agenix the way
// agenix's NixOS module does it, in each of its two modes: its agenix-install-secrets.service
// unit, and its default, the activation script. Both start the way a host whose key was not
// there yet at activation does (a restored or regenerated host key): nothing decrypts, the unit
// fails or the activation does. With the key in place, Fix decrypts everything into a new
// generation, 0400 root as agenix leaves it, and removes the old one.
func TestSystemdHostAgenix(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	const name = "p510"
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{name}, Systemd: true})
	inv := fleettest.Inventory(t, lf)
	h, _ := inv.Host(name)
	e := &command.Executor{}
	defer e.Close()
	ssh1 := func(t *testing.T, script string) string {
		t.Helper()
		res, err := e.SSH(h.Name, h.SSH).Run(ctx, command.Cmd{Args: []string{"sh", "-c", script}})
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(res.Stdout))
	}

	// The host's ed25519 key, which secrets.nix would list for p510, and two secrets encrypted
	// to it the way secrets:new writes them.
	recipient, err := ParseRecipient(hostPub(t, name))
	if err != nil {
		t.Fatal(err)
	}
	plain := map[string]string{"restic-password": "correct horse battery staple", "jellyfin-api-key": "jf-0123456789"}
	ageFiles := map[string]string{}
	for secret, value := range plain {
		ct, err := Encrypt([]byte(value), []Recipient{recipient}, false)
		if err != nil {
			t.Fatal(err)
		}
		ageFiles[secret] = filepath.Join(t.TempDir(), secret+".age")
		if err := os.WriteFile(ageFiles[secret], ct, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	block, err := ssh.MarshalPrivateKey(hostPriv(name), "")
	if err != nil {
		t.Fatal(err)
	}
	hostKey := string(pem.EncodeToMemory(block))

	for i, tc := range []struct {
		mode     string
		unit     string // what status reports for the mode
		switched int    // switch-to-configuration's exit status while the key is missing
	}{
		{localfleet.AgenixUnit, "failed", 4},           // switched, but a unit failed
		{localfleet.AgenixActivation, "activation", 2}, // the activation script failed
	} {
		t.Run(tc.mode, func(t *testing.T) {
			// No key at agenix's default identity, /etc/ssh/ssh_host_ed25519_key.
			ssh1(t, "rm -f /etc/ssh/ssh_host_ed25519_key")
			if err := lf.SetVariant(name, localfleet.Variant{Generation: 2 + i, Agenix: &localfleet.Agenix{Mode: tc.mode, Secrets: ageFiles}}); err != nil {
				t.Fatal(err)
			}
			built, err := lf.Build(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			code, out := switchTo(ctx, t, lf, e, h, built[name])
			if code != tc.switched {
				t.Fatalf("switch without the key: exit %d, want %d:\n%s", code, tc.switched, out)
			}

			st, err := hostStatus(ctx, e, h)
			if err != nil {
				t.Fatal(err)
			}
			if st.Unit != tc.unit || len(st.Files) != 0 || !strings.HasPrefix(st.Link, "/run/agenix.d/") {
				t.Errorf("status without the key: %+v, want unit %s, no files, /run/agenix a generation", st, tc.unit)
			}
			before := st.Link

			ssh1(t, "umask 077 && mkdir -p /etc/ssh && cat > /etc/ssh/ssh_host_ed25519_key <<'EOF'\n"+hostKey+"EOF")
			st, err = fix(ctx, e, h)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]remoteFile{}
			for secret := range plain {
				want[secret] = remoteFile{Name: secret, Mode: "400", Owner: "root", Group: "root"}
			}
			got := map[string]remoteFile{}
			for _, f := range st.Files {
				got[f.Name] = f
			}
			wantUnit := map[string]string{localfleet.AgenixUnit: "active", localfleet.AgenixActivation: "activation"}[tc.mode]
			if st.Unit != wantUnit || len(got) != len(want) || st.Link == before {
				t.Errorf("after fix: %+v, want unit %s, a generation after %s and %v", st, wantUnit, before, want)
			}
			for secret, f := range want {
				if got[secret] != f {
					t.Errorf("after fix %s: %+v, want %+v", secret, got[secret], f)
				}
				if v := ssh1(t, "cat /run/agenix/"+secret); v != plain[secret] {
					t.Errorf("/run/agenix/%s holds %q", secret, v)
				}
			}
			// One generation left: the one /run/agenix points at.
			if gens := ssh1(t, "ls /run/agenix.d"); "/run/agenix.d/"+gens != st.Link {
				t.Errorf("/run/agenix.d holds %q, want only %s", gens, st.Link)
			}
			if fs := ssh1(t, "stat -f -c %T /run/agenix.d/."); fs != "ramfs" {
				t.Errorf("/run/agenix.d is on %s, want ramfs (never swapped out)", fs)
			}
		})
	}
}

// switchTo copies path to the host and switches to it over ssh, as a deploy does, returning
// switch-to-configuration's exit status and output.
func switchTo(ctx context.Context, t *testing.T, lf *localfleet.Fleet, e *command.Executor, h *inventory.Host, path string) (int, string) {
	t.Helper()
	uri, err := lf.StoreURI(h.Name)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := lf.NixSSHOpts(h.Name)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"nix", "copy"}, nix.Local().Args()...)
	if _, err := e.Local().Run(ctx, command.Cmd{Args: append(args, "--no-check-sigs", "--to", uri, path),
		Env: append(nix.Local().Env(), "NIX_SSHOPTS="+opts)}); err != nil {
		t.Fatal(err)
	}
	res, err := e.SSH(h.Name, h.SSH).Run(ctx, command.Cmd{Args: []string{"sh", "-c",
		"nix-env -p /nix/var/nix/profiles/system --set " + path + " && " + path + "/bin/switch-to-configuration switch 2>&1"}})
	var ee *command.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode, string(res.Stdout)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(res.Stdout)
}
