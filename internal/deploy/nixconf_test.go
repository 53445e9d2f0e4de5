package deploy

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/parallel"
)

// machineNixConfs are the nix.conf files a machine running the hub may have. The local fleet and
// a deploy to it must work with each: the settings the hub needs travel with every nix call
// (internal/nix), never through the machine's configuration.
var machineNixConfs = []struct {
	name, conf string
}{
	// A fresh Debian machine with nix-bin: no /etc/nix/nix.conf at all, so root builds as the
	// nixbld group that nothing created.
	{"absent", ""},
	// What a nix-daemon installation writes: build users and the sandbox on (the sandbox has no
	// /bin/sh), plus a binary cache that cannot be reached offline.
	{"daemon", "build-users-group = nixbld\nsandbox = true\nsubstituters = https://cache.nixos.org\nmax-jobs = 0\n"},
	// A machine where someone already turned the sandbox off by hand (what hid the problem).
	{"sandbox-off", "build-users-group =\nsandbox = false\n"},
}

// The two code paths that build: on this machine (nix build in localfleet.Up, nix-store
// --realise in the deploy) and on the target over ssh (nix-store --realise in the host's own
// session, which reads the host's nix.conf, not this process's environment).
func TestLocalFleetWhateverTheMachineNixConf(t *testing.T) {
	fleettest.Need(t)
	for _, mc := range machineNixConfs {
		t.Run(mc.name, func(t *testing.T) {
			confDir := t.TempDir()
			if mc.conf != "" {
				if err := os.WriteFile(filepath.Join(confDir, "nix.conf"), []byte(mc.conf), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("NIX_CONF_DIR", confDir)
			f := startFleet(t, []string{"p620"})
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			for _, buildOn := range []string{inventory.BuildLocal, inventory.BuildTarget} {
				gen := f.next(t, localfleet.Variant{}, "p620")
				res, out := f.deploy(t, ctx, "p620", func(o *Options, _ []*inventory.Host) { o.BuildOn = buildOn })
				if h := hostResult(t, res.Report, "p620"); h.Status != parallel.StatusOK {
					t.Fatalf("build on %s: %s (%v)\n%s", buildOn, h.Status, h.Err, out)
				}
				if got := generationOf(f.consistent(t, "p620")); got != itoa(gen) {
					t.Errorf("build on %s: p620 runs g%s, want g%d", buildOn, got, gen)
				}
			}
		})
	}
}
