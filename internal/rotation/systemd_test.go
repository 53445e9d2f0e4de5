package rotation

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/secrets"
)

// A restart consumer on a systemd host of the local fleet: the new value is deployed (decrypted
// by the activation, as agenix's default mode does), the unit is restarted by the real systemd
// (a new invocation, not the reload a switch gives sshd) and checked active. sshd.service stands
// in for a service reading the secret: what is tested is the restart over ssh, not the service.
func TestRotateRestartSystemdHost(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 6*time.Minute)
	defer cancel()
	lf, inv, h, e, r := systemdRotationHost(t, ctx, "app-token.age",
		"[\"app-token.age\"]\ngenerator = \"hex\"\nperiod = \"30d\"\nconsumer = \"restart\"\nunits = [\"sshd.service\"]\n", "the-first-token")

	var log bytes.Buffer
	deliver := Deploy{Fleet: inv, Executor: e, Options: deployOptions(&log), Stage: LocalFleetStage(lf, r, inv)}
	if failed := deliver.Deliver(ctx, inv.Hosts); len(failed) > 0 {
		t.Fatalf("first deploy: %v\n%s", hostErrors(failed), log.String())
	}
	invocation := func() string { return onHost(t, e, h, "systemctl show -p InvocationID --value sshd.service") }
	before := invocation()

	rot, err := secrets.LoadRotation(r)
	if err != nil {
		t.Fatal(err)
	}
	res := Rotate(ctx, Options{Rules: r, Rotation: rot, Fleet: inv, Executor: e, Deliver: deliver,
		Now: time.Now(), Rand: rand.Reader, Out: &log}, "app-token")
	if res.Outcome != rotated || res.Err != nil || len(res.LeftToDo) != 0 {
		t.Fatalf("rotation: %s %v, left %q\n%s", res.Outcome, res.Err, res.LeftToDo, log.String())
	}
	got := onHost(t, e, h, "cat /run/agenix/app-token")
	if got == "the-first-token" || len(got) != 64 {
		t.Errorf("/run/agenix/app-token holds %q after the rotation, want the new 32-byte hex value", got)
	}
	if after := invocation(); after == before || after == "" {
		t.Errorf("sshd.service invocation %q before and %q after: not restarted", before, after)
	}
	if st := onHost(t, e, h, "systemctl is-active sshd.service"); st != "active" {
		t.Errorf("sshd.service is %s after the restart", st)
	}
}

// An *arr app's API key through a restart consumer on a systemd host: the host runs the NixOS
// modules' own <app>-apikey.service (modules/lib/servarr-apikey.nix, variant Servarr) and a
// stand-in sonarr.service whose process gets the environment Sonarr would. The deployed key
// reaches the process as SONARR__AUTH__APIKEY; after the rotation's deploy and restart, the
// process holds the new key: the restart of sonarr.service also re-ran the writer it is PartOf.
func TestRotateServarrSystemdHost(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 6*time.Minute)
	defer cancel()
	const first = "0123456789abcdef0123456789abcdef"
	lf, inv, h, e, r := systemdRotationHost(t, ctx, "sonarr-api-key.age",
		"[\"sonarr-api-key.age\"]\ngenerator = \"hex\"\nlength = 16\nperiod = \"180d\"\nconsumer = \"restart\"\nunits = [\"sonarr.service\"]\n", first)
	if _, err := lf.Stage(h.Name, func(v *localfleet.Variant) {
		v.Servarr = map[string]string{"sonarr": "/run/agenix/sonarr-api-key"}
	}); err != nil {
		t.Fatal(err)
	}

	var log bytes.Buffer
	deliver := Deploy{Fleet: inv, Executor: e, Options: deployOptions(&log), Stage: LocalFleetStage(lf, r, inv)}
	if failed := deliver.Deliver(ctx, inv.Hosts); len(failed) > 0 {
		t.Fatalf("first deploy: %v\n%s", hostErrors(failed), log.String())
	}
	// What the app's process was started with, as the app reads it.
	seen := func() string {
		return onHost(t, e, h, `tr '\0' '\n' < /proc/"$(systemctl show -p MainPID --value sonarr.service)"/environ | grep '^SONARR__AUTH__APIKEY=' || true`)
	}
	if got := seen(); got != "SONARR__AUTH__APIKEY="+first {
		t.Fatalf("sonarr.service's environment has %q after the first deploy, want the deployed key\n%s", got, log.String())
	}
	if got := onHost(t, e, h, "stat -c '%a %s' /run/sonarr-apikey/apikey.env"); got != fmt.Sprintf("400 %d", len("SONARR__AUTH__APIKEY=")+len(first)+1) {
		t.Errorf("/run/sonarr-apikey/apikey.env: mode and size %q, want 0400 and one line", got)
	}

	rot, err := secrets.LoadRotation(r)
	if err != nil {
		t.Fatal(err)
	}
	res := Rotate(ctx, Options{Rules: r, Rotation: rot, Fleet: inv, Executor: e, Deliver: deliver,
		Now: time.Now(), Rand: rand.Reader, Out: &log}, "sonarr-api-key")
	if res.Outcome != rotated || res.Err != nil || len(res.LeftToDo) != 0 {
		t.Fatalf("rotation: %s %v, left %q\n%s", res.Outcome, res.Err, res.LeftToDo, log.String())
	}
	key := onHost(t, e, h, "cat /run/agenix/sonarr-api-key")
	if key == first || len(key) != 32 {
		t.Fatalf("/run/agenix/sonarr-api-key holds %q after the rotation, want a new 16-byte hex key", key)
	}
	if got := seen(); got != "SONARR__AUTH__APIKEY="+key {
		t.Errorf("sonarr.service's environment has %q after the rotation, want the new key %s\n%s", got, key, log.String())
	}
}

// systemdRotationHost starts a one-host systemd local fleet (p510) and a secrets directory whose
// secrets.nix gives secret to the host's key, with rotation.toml spec and the secret's first
// value encrypted as secrets:new writes it. The executor is closed with the test.
func systemdRotationHost(t *testing.T, ctx context.Context, secret, spec, first string) (*localfleet.Fleet, *inventory.Fleet, *inventory.Host, *command.Executor, *secrets.Rules) {
	t.Helper()
	const name = "p510"
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{name}, Systemd: true}, "age")
	inv := fleettest.Inventory(t, lf)
	h, _ := inv.Host(name)
	e := &command.Executor{}
	t.Cleanup(func() { e.Close() })

	lh, _ := lf.Host(name)
	pub, err := os.ReadFile(filepath.Join(lh.Dir, "ssh_host_ed25519_key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "secrets")
	write(t, filepath.Join(dir, "secrets.nix"), fmt.Sprintf("let\n  %s = %q;\nin {\n  %q.publicKeys = [ %s ];\n}\n", name, strings.TrimSpace(string(pub)), secret, name))
	write(t, filepath.Join(dir, secrets.RotationFile), spec)
	r, err := secrets.LoadRules(ctx, (&command.Executor{}).Local(), filepath.Join(dir, "secrets.nix"))
	if err != nil {
		t.Fatal(err)
	}
	entry, _ := r.Entry(secret)
	ct, err := secrets.Encrypt([]byte(first), entry.Recipients, false)
	if err != nil {
		t.Fatal(err)
	}
	write(t, entry.Path, string(ct))
	return lf, inv, h, e, r
}
