package secrets

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// hub.features.wireguard.fleetPeers takes each peer's public key from rotation.toml: evaluated
// with the real nix-instantiate, modules/lib/wireguard-peers.nix over nix/rotation-public-keys.nix
// gives a peer the key secrets:rotate has just recorded, the next rotation's key after the next
// one (what the peer's next deploy evaluates), and names a listed host without a recorded key.
func TestWireguardFleetPeersNix(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("SKIPPED: nix-instantiate not installed")
	}
	dir := t.TempDir()
	r := writeNix(t, dir, []string{"p620"}, `{
  "wireguard-p620.age".publicKeys = [ p620 admin ];
}`)
	if err := os.WriteFile(filepath.Join(dir, RotationFile), []byte("[\"wireguard-p620.age\"]\ngenerator = \"wireguard\"\nperiod = \"365d\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lib, _ := filepath.Abs(filepath.Join(repoRoot, "modules", "lib", "wireguard-peers.nix"))
	keys, _ := filepath.Abs(filepath.Join(repoRoot, "nix", "rotation-public-keys.nix"))
	type peer struct {
		PublicKey           string   `json:"publicKey"`
		AllowedIPs          []string `json:"allowedIPs"`
		Endpoint            string   `json:"endpoint"`
		PersistentKeepalive int      `json:"persistentKeepalive"`
	}
	eval := func() (peers []peer, missing []string) {
		t.Helper()
		out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "--expr",
			`{ lib, keys, file }: import (/. + lib) {
			  publicKeys = import (/. + keys) { rotationFile = /. + file; };
			  peers = [
			    { host = "p620"; allowedIPs = [ "10.100.0.1/32" ]; endpoint = "p620.home.arpa:51820"; persistentKeepalive = 25; }
			    { host = "razer"; allowedIPs = [ "10.100.0.3/32" ]; endpoint = null; }
			  ];
			}`,
			"--argstr", "lib", lib, "--argstr", "keys", keys, "--argstr", "file", filepath.Join(dir, RotationFile)).Output()
		if err != nil {
			t.Fatalf("nix-instantiate: %v", err)
		}
		var got struct {
			Peers   []peer
			Missing []string
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return got.Peers, got.Missing
	}
	if peers, missing := eval(); len(peers) != 0 || len(missing) != 2 {
		t.Fatalf("before any rotation: peers %+v, missing %v; want none and both hosts", peers, missing)
	}
	var last string
	for i := range 2 {
		rot, err := LoadRotation(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rotate(context.Background(), r, rot, []string{"wireguard-p620.age"}, time.Now(), rand.Reader); err != nil {
			t.Fatal(err)
		}
		rot, err = ReadRotation(dir)
		if err != nil {
			t.Fatal(err)
		}
		recorded := rot.Secrets["wireguard-p620.age"].PublicKey
		if recorded == "" || recorded == last {
			t.Fatalf("rotation %d recorded public key %q (before: %q)", i+1, recorded, last)
		}
		last = recorded
		peers, missing := eval()
		want := peer{PublicKey: recorded, AllowedIPs: []string{"10.100.0.1/32"}, Endpoint: "p620.home.arpa:51820", PersistentKeepalive: 25}
		if len(peers) != 1 || peers[0].PublicKey != want.PublicKey || peers[0].Endpoint != want.Endpoint ||
			peers[0].PersistentKeepalive != 25 || len(peers[0].AllowedIPs) != 1 || peers[0].AllowedIPs[0] != "10.100.0.1/32" {
			t.Errorf("rotation %d: peers %+v, want [%+v]", i+1, peers, want)
		}
		if len(missing) != 1 || missing[0] != "razer" {
			t.Errorf("rotation %d: missing %v, want [razer] (no wireguard-razer.age recorded)", i+1, missing)
		}
	}
}

// The wireguard module itself, evaluated offline with the option check's lib (nix/options-lib.nix)
// and a hand-made config for razer: its interface gets p620 as a peer with the public key the
// repository's rotation.toml records, and a listed host without one fails its assertion by name.
func TestWireguardModuleFleetPeers(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("SKIPPED: nix-instantiate not installed")
	}
	module, _ := filepath.Abs(filepath.Join(repoRoot, "modules", "networking", "wireguard.nix"))
	lib, _ := filepath.Abs(filepath.Join(repoRoot, "nix", "options-lib.nix"))
	rot, err := ReadRotation(filepath.Join(repoRoot, "secrets"))
	if err != nil {
		t.Fatal(err)
	}
	p620 := rot.Secrets["wireguard-p620.age"].PublicKey
	if p620 == "" {
		t.Fatal("secrets/rotation.toml records no public_key for wireguard-p620.age")
	}
	out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "--expr",
		`{ module, lib }: let
		  m = import (/. + module) {
		    lib = import (/. + lib);
		    config = {
		      networking.hostName = "razer";
		      age.secrets.wireguard-razer.path = "/run/agenix/wireguard-razer";
		      hub.features.wireguard = {
		        enable = true; interface = "wg0"; addresses = [ "10.100.0.3/24" ]; listenPort = 51820;
		        privateKeyFile = "/run/agenix/wireguard-razer"; peers = [ ];
		        fleetPeers = [
		          { host = "p620"; allowedIPs = [ "10.100.0.1/32" ]; endpoint = "p620.home.arpa:51820"; persistentKeepalive = null; }
		          { host = "samsung"; allowedIPs = [ "10.100.0.4/32" ]; endpoint = null; persistentKeepalive = null; }
		        ];
		      };
		    };
		  };
		  c = m.config.content;
		in { peers = c.networking.wireguard.interfaces.wg0.peers; failed = map (a: a.message) (builtins.filter (a: !a.assertion) c.assertions); }`,
		"--argstr", "module", module, "--argstr", "lib", lib).Output()
	if err != nil {
		t.Fatalf("nix-instantiate: %v", err)
	}
	var got struct {
		Peers []struct {
			PublicKey, Endpoint string
			AllowedIPs          []string
		}
		Failed []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got.Peers) != 1 || got.Peers[0].PublicKey != p620 || got.Peers[0].Endpoint != "p620.home.arpa:51820" {
		t.Errorf("peers %+v, want p620 with public key %s", got.Peers, p620)
	}
	wantFailed := []string{
		"host razer: hub.features.wireguard.fleetPeers: no WireGuard public key recorded for samsung: secrets/rotation.toml has no public_key for wireguard-samsung.age; give each a [\"wireguard-<host>.age\"] table with generator = \"wireguard\" and run `go tool mage secrets:rotate -names=wireguard-<host>.age`",
		"host razer: feature wireguard reads secrets/wireguard-razer.age, which does not exist: list it in secrets/secrets.nix, then `go tool mage secrets:rotate -names=wireguard-razer.age` (generator wireguard in secrets/rotation.toml)",
	}
	if len(got.Failed) != len(wantFailed) {
		t.Fatalf("failed assertions %q, want %q", got.Failed, wantFailed)
	}
	for i := range wantFailed {
		if got.Failed[i] != wantFailed[i] {
			t.Errorf("assertion %d:\n got %s\nwant %s", i, got.Failed[i], wantFailed[i])
		}
	}
}
