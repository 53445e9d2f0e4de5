package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/secrets"
)

// secrets:rotate through a real mage process on the local fleet: a manual consumer's secret is
// regenerated, deployed to its two hosts by the deploy engine (their next systems decrypt the
// checkout's .age file), its instructions printed after the summary, rotation.toml edited in
// place; a name that has no spec fails in one line, with nothing changed.
func TestSecretsRotateTarget(t *testing.T) {
	hosts := []string{"p620", "razer"}
	lf := fleettest.Start(t, localfleet.Config{Hosts: hosts}, "age")
	bin, root := fleettest.Mage(t)

	dir := filepath.Join(t.TempDir(), "secrets")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var rules strings.Builder
	rules.WriteString("let\n")
	for _, h := range lf.Hosts() {
		pub, err := os.ReadFile(filepath.Join(h.Dir, "ssh_host_ed25519_key.pub"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&rules, "  %s = %q;\n", h.Name, strings.TrimSpace(string(pub)))
	}
	rules.WriteString("in {\n  \"token.age\".publicKeys = [ p620 razer ];\n  \"other.age\".publicKeys = [ p620 ];\n}\n")
	const rotation = `# kept
["token.age"]
generator = "alphanumeric"
period = "30d"
consumer = "manual"
instructions = "paste it into the app"
`
	for name, content := range map[string]string{"secrets.nix": rules.String(), "rotation.toml": rotation} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("HUB_SECRETS_RULES", filepath.Join(dir, "secrets.nix"))
	// The first values, as secrets:new writes them: every secret of a host must decrypt there,
	// or its activation fails.
	r, err := secrets.LoadRules(t.Context(), (&command.Executor{}).Local(), filepath.Join(dir, "secrets.nix"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range r.Entries {
		ct, err := secrets.Encrypt([]byte("first value of "+e.Name), e.Recipients, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(e.Path, ct, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	out, code := runTarget(t, bin, root, lf, "secrets:rotate", "-names=token")
	if code != 0 || !regexp.MustCompile(`(?m)^token\.age\s+manual\s+p620,razer\s+rotated$`).MatchString(out) ||
		!strings.Contains(out, "token.age: deployed; now by hand: paste it into the app") {
		t.Fatalf("secrets:rotate -names=token: exit %d:\n%s", code, out)
	}
	h, _ := lf.Host("p620")
	want, err := exec.Command("age", "--decrypt", "-i", filepath.Join(h.Dir, "ssh_host_ed25519_key"), filepath.Join(dir, "token.age")).Output()
	if err != nil || len(want) != 32 {
		t.Fatalf("token.age: %q %v", want, err)
	}
	for _, name := range hosts {
		got, code := runTarget(t, bin, root, lf, "hosts:exec", name, "cat /run/agenix/token")
		if code != 0 || !strings.Contains(got, string(want)) {
			t.Errorf("%s: /run/agenix/token after the rotation (exit %d):\n%s\nwant %q", name, code, got, want)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, "rotation.toml"))
	if !strings.HasPrefix(string(data), rotation) || !strings.Contains(string(data), "\nrotated = \"20") {
		t.Errorf("rotation.toml after the rotation:\n%s", data)
	}

	before, _ := os.ReadFile(filepath.Join(dir, "other.age"))
	out, code = runTarget(t, bin, root, lf, "secrets:rotate", "-names=other")
	if code == 0 || !strings.Contains(out, `other.age: generate: `+filepath.Join(dir, "rotation.toml")+`: "other.age" has no rotation spec (add ["other.age"] with generator and period)`) {
		t.Errorf("secrets:rotate -names=other: exit %d, want a failure naming the missing spec:\n%s", code, out)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "other.age")); string(after) != string(before) {
		t.Errorf("other.age changed by a rotation that failed before anything")
	}
}
