package secrets

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nix/rotation-public-keys.nix gives the configuration the public halves secrets:rotate records
// in rotation.toml (a WireGuard peer's key, the binary cache's): evaluated with the real Nix,
// builtins only, it must read back exactly what ReadRotation reads, for the repository's file and
// for one secrets:rotate has just edited (Nix's fromTOML has no datetimes: rotated is a string).
func TestRotationPublicKeysNix(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("SKIPPED: nix-instantiate not installed")
	}
	r := rotationFixture(t, "# comment\n[\"wg.age\"]\ngenerator = \"wireguard\"\nperiod = \"1w\"\n")
	rot, err := LoadRotation(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rotate(context.Background(), r, rot, []string{"wg.age"}, time.Now(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Join(repoRoot, "secrets"), r.Dir} {
		rot, err := ReadRotation(dir)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		for name, s := range rot.Secrets {
			if s.PublicKey != "" {
				want[strings.TrimSuffix(name, ".age")] = s.PublicKey
			}
		}
		if len(want) == 0 {
			t.Fatalf("%s: no public key to compare", dir)
		}
		abs, err := filepath.Abs(filepath.Join(dir, RotationFile))
		if err != nil {
			t.Fatal(err)
		}
		nixFile, _ := filepath.Abs(filepath.Join(repoRoot, "nix", "rotation-public-keys.nix"))
		out, err := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "--expr",
			`{ nixFile, file }: import (/. + nixFile) { rotationFile = /. + file; }`,
			"--argstr", "nixFile", nixFile, "--argstr", "file", abs).Output()
		if err != nil {
			t.Fatalf("%s: nix-instantiate: %v", dir, err)
		}
		var got map[string]string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Errorf("%s: nix reads %v, want %v", dir, got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: nix reads %s = %q, want %q", dir, k, got[k], v)
			}
		}
	}
}
