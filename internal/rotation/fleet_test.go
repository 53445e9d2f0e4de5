package rotation

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/backup"
	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/deploy"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/parallel"
	"github.com/nixos-hub/hub/internal/secrets"
)

// Each host's repository is its own, on its "backup disk" (/root/disk bind-mounted at
// /root/backup-disk in the host; /root is private to a local-fleet host), opened with the agenix
// file the deploy decrypts.
const backupTable = `
[[backup]]
name = "data"
paths = ["/root/data"]
repository = "/root/backup-disk/restic"
mount = "/root/backup-disk"
password_file = "/run/agenix/restic-password"
keep_last = 1
max_age = "1h"
state_dir = "/root/hub-state"
`

const rotationTOML = `# Our restic password: the hub rotates it, the repositories follow.
["restic-password.age"]
  generator = "passphrase"   # seven words
  period = "365d"
  consumer = "restic"

["app-token.age"]
  generator = "hex"
  period = "30d"
  consumer = "restart"
  units = ["app.service"]
`

// rotatedTOML is rotationTOML after the restic password's rotation.
var rotatedTOML = strings.Replace(rotationTOML, "consumer = \"restic\"\n", "consumer = \"restic\"\n  rotated = \"2026-12-01T12:00:00Z\"\n", 1)

var hosts = []string{"p510", "p620", "dex5550"}

// TestRotateResticLocalFleet rotates a restic password through the whole transaction on a local
// fleet of three hosts, each with a real restic repository opened by the agenix file a real
// deploy decrypts: the new key is added, the new value deployed and verified, the old key
// removed. A second secret's restart consumer fails after its deploy (the lightweight hosts have
// no systemd): its old value is deployed again, the rotated password delivered with it stays.
// Then a third rotation loses a host midway (it hangs during the deploy): the old
// .age file comes back, is deployed again, the new keys are removed where the hosts answer, and
// every repository, the lost host's included, still opens with the old password; what is left
// names the lost host and the key to remove.
func TestRotateResticLocalFleet(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: hosts}, "restic", "age")
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	e := &command.Executor{}
	defer e.Close()

	// The checkout: secrets.nix naming each host's real host key, the first password, and
	// rotation.toml with a person's comments.
	repo := t.TempDir()
	dir := filepath.Join(repo, "secrets")
	os.MkdirAll(dir, 0o755)
	var nixFile strings.Builder
	nixFile.WriteString("let\n")
	for _, h := range lf.Hosts() {
		pub, err := os.ReadFile(filepath.Join(h.Dir, "ssh_host_ed25519_key.pub"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&nixFile, "  %s = %q;\n", h.Name, strings.TrimSpace(string(pub)))
	}
	nixFile.WriteString("in {\n  \"restic-password.age\".publicKeys = [ " + strings.Join(hosts, " ") + " ];\n" +
		"  \"app-token.age\".publicKeys = [ " + strings.Join(hosts, " ") + " ];\n}\n")
	write(t, filepath.Join(dir, "secrets.nix"), nixFile.String())
	write(t, filepath.Join(dir, secrets.RotationFile), rotationTOML)
	r, err := secrets.LoadRules(ctx, (&command.Executor{}).Local(), filepath.Join(dir, "secrets.nix"))
	if err != nil {
		t.Fatal(err)
	}
	entry, _ := r.Entry("restic-password.age")
	const first = "the-first-password"
	ct, err := secrets.Encrypt([]byte(first), entry.Recipients, false)
	if err != nil {
		t.Fatal(err)
	}
	write(t, entry.Path, string(ct))
	appEntry, _ := r.Entry("app-token.age")
	const appToken = "the-first-app-token"
	if ct, err = secrets.Encrypt([]byte(appToken), appEntry.Recipients, false); err != nil {
		t.Fatal(err)
	}
	write(t, appEntry.Path, string(ct))

	for _, h := range lf.Hosts() {
		fleettest.AppendHostTOML(t, lf, h.Name, backupTable)
		write(t, filepath.Join(h.Dir, "root/data/file.txt"), "data of "+h.Name)
	}
	inv := fleettest.Inventory(t, lf)

	var log bytes.Buffer
	deliver := Deploy{Fleet: inv, Executor: e, Options: deployOptions(&log), Stage: LocalFleetStage(lf, r, inv)}
	if failed := deliver.Deliver(ctx, inv.Hosts); len(failed) > 0 {
		t.Fatalf("first deploy: %v\n%s", hostErrors(failed), log.String())
	}
	for _, h := range inv.Hosts {
		onHost(t, e, h, "mkdir -p /root/disk /root/backup-disk && mount --bind /root/disk /root/backup-disk")
		j := backup.NewJob(e, h, h.Backups[0])
		if _, err := j.EnsureRepository(ctx, true); err != nil {
			t.Fatal(err)
		}
		if _, err := j.Backup(ctx, discard{}, backup.Options{}); err != nil {
			t.Fatal(err)
		}
	}

	rotate := func(d Deliverer, name string) *Result {
		rot, err := secrets.LoadRotation(r)
		if err != nil {
			t.Fatal(err)
		}
		return Rotate(ctx, Options{Rules: r, Rotation: rot, Fleet: inv, Executor: e, Deliver: d,
			Now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), Rand: rand.Reader, Out: &log}, name)
	}

	// 1. A rotation that completes.
	res := rotate(deliver, "restic-password")
	if res.Outcome != rotated || res.Err != nil || len(res.LeftToDo) != 0 {
		t.Fatalf("rotation: %s %v, left %q\n%s", res.Outcome, res.Err, res.LeftToDo, log.String())
	}
	second := decrypt(t, lf, entry.Path)
	if second == first || len(strings.Split(second, "-")) != 7 {
		t.Fatalf("new value %q", second)
	}
	for _, h := range inv.Hosts {
		// Exactly one key, the new password's, opened by the deployed file.
		if got := onHost(t, e, h, "cat /run/agenix/restic-password"); got != second {
			t.Errorf("host %s: /run/agenix/restic-password holds %q, want the new value", h.Name, got)
		}
		if keys := keysWith(t, lf, h.Name, second); len(keys) != 1 {
			t.Errorf("host %s: %d keys after the rotation, want 1 (the old one removed)", h.Name, len(keys))
		}
		if opens(lf, h.Name, first) {
			t.Errorf("host %s: the old password still opens the repository", h.Name)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, secrets.RotationFile))
	if string(data) != rotatedTOML {
		t.Errorf("rotation.toml:\n%s\nwant (comments kept, rotated added)\n%s", data, rotatedTOML)
	}

	// 2. A consumer that fails after the deploy: app.service cannot be restarted (the
	// lightweight hosts have no systemd), on the first host already; that host is left to
	// restart by hand. The old token is deployed again; the restic password,
	// delivered with it, stays the new one.
	appBefore, _ := os.ReadFile(appEntry.Path)
	res = rotate(deliver, "app-token")
	if res.Outcome != incomplete || res.Err == nil || !strings.Contains(res.Err.Error(), "app-token.age: restart: host "+inv.Hosts[0].Name+": systemctl restart app.service") ||
		len(res.LeftToDo) != 1 || !strings.Contains(res.LeftToDo[0], "restart them by hand once the old value is deployed") {
		t.Fatalf("app-token rotation: %s %v, left %q\n%s", res.Outcome, res.Err, res.LeftToDo, log.String())
	}
	if appAfter, _ := os.ReadFile(appEntry.Path); !bytes.Equal(appBefore, appAfter) {
		t.Errorf("%s was not restored", appEntry.Path)
	}
	for _, h := range inv.Hosts {
		if got := onHost(t, e, h, "cat /run/agenix/app-token /run/agenix/restic-password"); got != appToken+second {
			t.Errorf("host %s: /run/agenix holds %q after the rollback, want the old token and the rotated password", h.Name, got)
		}
	}

	// 3. dex5550 hangs during the deploy: the rotation rolls back.
	before, _ := os.ReadFile(entry.Path)
	lost := "dex5550"
	hanging := delivererFunc(func(ctx context.Context, hs []*inventory.Host) map[string]error {
		if err := lf.Hang(ctx, lost); err != nil {
			t.Fatal(err)
		}
		return deliver.Deliver(ctx, hs)
	})
	res = rotate(hanging, "restic-password")
	if err := lf.Unhang(context.Background(), lost); err != nil {
		t.Fatal(err)
	}
	if res.Outcome != incomplete || res.Err == nil || !strings.Contains(res.Err.Error(), "deploy: host "+lost) {
		t.Fatalf("rotation with %s lost: %s %v\n%s", lost, res.Outcome, res.Err, log.String())
	}
	after, _ := os.ReadFile(entry.Path)
	if !bytes.Equal(before, after) {
		t.Errorf("%s was not restored byte for byte", entry.Path)
	}
	for _, h := range inv.Hosts {
		if got := onHost(t, e, h, "cat /run/agenix/restic-password"); got != second {
			t.Errorf("host %s: /run/agenix/restic-password holds %q after the rollback, want the old value", h.Name, got)
		}
		// The old password opens every repository; the lost host alone keeps the abandoned
		// new key, which is what is left to do.
		keys := keysWith(t, lf, h.Name, second)
		want := 1
		if h.Name == lost {
			want = 2
		}
		if len(keys) != want {
			t.Errorf("host %s: %d keys after the rollback, want %d", h.Name, len(keys), want)
		}
	}
	left := strings.Join(res.LeftToDo, "\n")
	if len(res.LeftToDo) != 3 || !strings.Contains(left, "host "+lost+": deploy it again") ||
		!strings.Contains(left, "host "+lost+": repository /root/backup-disk/restic: once it is deployed again: restic --repo /root/backup-disk/restic --password-file /run/agenix/restic-password key remove ") ||
		!strings.Contains(left, "host "+lost+": rm -f /run/hub-rotate/restic-password.new") {
		t.Errorf("left to do:\n%s", left)
	}
	data, _ = os.ReadFile(filepath.Join(dir, secrets.RotationFile))
	if string(data) != rotatedTOML {
		t.Errorf("rotation.toml after the rollbacks:\n%s\nwant it unchanged", data)
	}
	t.Logf("the rotations' steps:\n%s\nleft to do:\n%s", log.String(), left)
}

type discard struct{}

func (discard) Phase(string)          {}
func (discard) Logf(string, ...any)   {}
func (discard) Set(key, value string) {}

func deployOptions(out *bytes.Buffer) deploy.Options {
	return deploy.Options{
		Out: out, Progress: parallel.ProgressPlain,
		ConfirmTimeout: 5 * time.Second, ProbeTimeout: 10 * time.Second,
		CopyBackoff: 200 * time.Millisecond, HealthPause: 200 * time.Millisecond,
		Nix: nix.Local(), TextfileDir: "-",
	}
}

func write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// decrypt reads a .age file with p510's host key, as its agenix does.
func decrypt(t *testing.T, lf *localfleet.Fleet, file string) string {
	t.Helper()
	h, _ := lf.Host("p510")
	out, err := exec.Command("age", "--decrypt", "-i", filepath.Join(h.Dir, "ssh_host_ed25519_key"), file).Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// onHost runs script on h (fleettest.Sh) and returns its output without the final newline.
func onHost(t *testing.T, e *command.Executor, h *inventory.Host, script string) string {
	t.Helper()
	return strings.TrimSpace(fleettest.Sh(t, e, h, script))
}

// restic runs restic on this machine against the host's repository (the machine sees the host's
// /root under its directory) with password, independent of any host.
func restic(lf *localfleet.Fleet, host, password string, args ...string) ([]byte, error) {
	h, _ := lf.Host(host)
	cmd := exec.Command("restic", append([]string{"--repo", filepath.Join(h.Dir, "root/disk/restic"), "--no-cache"}, args...)...)
	cmd.Env = append(os.Environ(), "RESTIC_PASSWORD="+password)
	return cmd.Output()
}

func opens(lf *localfleet.Fleet, host, password string) bool {
	_, err := restic(lf, host, password, "cat", "config")
	return err == nil
}

// keysWith lists the repository's keys, opened with password (which must open it).
func keysWith(t *testing.T, lf *localfleet.Fleet, host, password string) []backup.Key {
	t.Helper()
	out, err := restic(lf, host, password, "key", "list", "--json")
	if err != nil {
		t.Fatalf("host %s: the repository does not open with %q: %v", host, password, err)
	}
	var keys []backup.Key
	if err := json.Unmarshal(out, &keys); err != nil {
		t.Fatal(err)
	}
	return keys
}
