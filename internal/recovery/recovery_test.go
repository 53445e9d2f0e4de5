package recovery

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

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

// log is a backup.Reporter that keeps the lines for the failure message.
type log struct {
	mu    sync.Mutex
	lines []string
}

func (l *log) Phase(name string) { l.Logf("== %s", name) }
func (l *log) Logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}
func (l *log) Set(string, string) {}
func (l *log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// The set of the host under recovery: its data and a live SQLite database, in a repository on a
// backup disk that is a directory of this machine's, outside the host (a wipe does not touch
// it), bind-mounted at /root/backup-disk.
const table = `
[[backup]]
name = "data"
paths = ["/root/data"]
repository = "/root/backup-disk/restic"
mount = "/root/backup-disk"
password_file = "/run/agenix/restic-password"
keep_last = 3
sqlite = ["/root/data/app.db"]
sqlite_dir = "/root/sqlite-copies"
state_dir = "/root/hub-state"
`

// A host is wiped completely (store, /root, /run, its ssh host key: a new disk and a fresh
// install) and recovery.Host brings it back from the admin's identity and the backup disk
// alone: secrets.nix gets the new key and the password secret is re-keyed to it, the host is
// deployed, its data and its SQLite database come back byte for byte, and verify passes.
func TestRecoverWipedHost(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p510"}}, "ssh-keyscan", "restic", "sqlite3", "nix-instantiate")
	ctx := t.Context()
	fleettest.AppendHostTOML(t, lf, "p510", table)
	inv := fleettest.Inventory(t, lf)
	h, _ := inv.Host("p510")
	e := &command.Executor{}
	defer e.Close()
	lh, _ := lf.Host("p510")
	disk := t.TempDir()

	// secrets.nix with the host's key and the admin's, and the repository password encrypted
	// to both, as in the repository's secrets/.
	admin, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	oldPub, err := os.ReadFile(filepath.Join(lh.Dir, "ssh_host_ed25519_key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	oldKey, err := secrets.ParseRecipient(strings.TrimSpace(string(oldPub)))
	if err != nil {
		t.Fatal(err)
	}
	adminKey, err := secrets.ParseRecipient(admin.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	sdir := t.TempDir()
	rulesPath := filepath.Join(sdir, "secrets.nix")
	rules := fmt.Sprintf("let\n  p510 = %q;\n  admin = %q;\nin\n{\n  \"restic-password.age\".publicKeys = [ p510 admin ];\n}\n", oldKey.Key, adminKey.Key)
	if err := os.WriteFile(rulesPath, []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	const password = "the repository password of p510"
	ct, err := secrets.Encrypt([]byte(password), []secrets.Recipient{oldKey, adminKey}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sdir, "restic-password.age"), ct, 0o644); err != nil {
		t.Fatal(err)
	}

	// Before the loss: data, a live database, agenix's decrypted password, a backup.
	mount := `mkdir -p /root/backup-disk && mount --bind "$1" /root/backup-disk`
	fleettest.Sh(t, e, h, mount, disk)
	fleettest.Sh(t, e, h, `set -e; umask 077; mkdir -p /run/agenix /root/data/sub
printf '%s' "$1" > /run/agenix/restic-password
for i in 1 2 3 4 5; do head -c $((i * 7000)) /dev/urandom > "/root/data/sub/file $i"; done
printf 'hello\n' > /root/data/hello.txt
ln -s hello.txt /root/data/link
sqlite3 /root/data/app.db "CREATE TABLE t(x); INSERT INTO t VALUES ('a'),('b'),('c');"`, password)
	want := map[string][]byte{}
	filepath.Walk(filepath.Join(lh.Dir, "root/data"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && !strings.HasSuffix(p, ".db") {
			b, _ := os.ReadFile(p)
			want[strings.TrimPrefix(p, lh.Dir)] = b
		}
		return err
	})
	set, _ := h.Backup("data")
	rep := &log{}
	if _, err := backup.NewJob(e, h, set).Backup(ctx, rep, backup.Options{Init: true, TextfileDir: "-"}); err != nil {
		t.Fatalf("backup: %v\n%s", err, rep)
	}

	// The loss.
	if err := lf.Reinstall(ctx, "p510"); err != nil {
		t.Fatal(err)
	}
	lh, _ = lf.Host("p510")
	if _, err := os.Stat(filepath.Join(lh.Dir, "root/data")); err == nil {
		t.Fatal("the reinstall left /root/data")
	}
	newPub, _ := os.ReadFile(filepath.Join(lh.Dir, "ssh_host_ed25519_key.pub"))
	if strings.Contains(string(newPub), strings.Fields(oldKey.Key)[1]) {
		t.Fatal("the reinstalled host kept its old host key")
	}
	// The backup disk survived and is plugged in (on NixOS: fileSystems mounts it at boot).
	fleettest.Sh(t, e, h, mount, disk)
	// The repository moved on since the installer was built: the deploy has work to do.
	if err := lf.SetVariant("p510", localfleet.Variant{Generation: 2}); err != nil {
		t.Fatal(err)
	}

	// With an identity that is no recipient nothing may change: secrets.nix must not name a
	// key no file is encrypted to, and nothing is deployed or restored.
	stranger, _ := age.GenerateX25519Identity()
	rulesBefore, _ := os.ReadFile(rulesPath)
	res, err := Host(ctx, inv, e, h, &log{}, Options{RulesPath: rulesPath, Identities: []age.Identity{stranger}})
	if err == nil || !strings.Contains(err.Error(), "the admin identity cannot re-key restic-password.age") || len(res.Steps) != 2 {
		t.Fatalf("recovery with a wrong identity: %v, %+v", err, res)
	}
	if after, _ := os.ReadFile(rulesPath); !bytes.Equal(after, rulesBefore) {
		t.Fatalf("a failed recovery changed secrets.nix:\n%s", after)
	}

	var deployOut bytes.Buffer
	res, err = Host(ctx, inv, e, h, rep, Options{
		RulesPath: rulesPath, Identities: []age.Identity{admin},
		Deploy: deploy.Options{KeepGoing: true, Out: &deployOut, Progress: parallel.ProgressPlain,
			ConfirmTimeout: 5 * time.Second, ProbeTimeout: 10 * time.Second, HealthPause: 200 * time.Millisecond,
			Nix: nix.Local()},
		// After the reboot the disk is mounted again, as fileSystems would at boot.
		Rebooter: deploy.RebooterFunc(func(ctx context.Context, h *inventory.Host, _ *command.Host, _ time.Duration) error {
			if err := lf.Reboot(ctx, h.Name); err != nil {
				return err
			}
			fleettest.Sh(t, e, h, mount, disk)
			return nil
		}),
		Verify: backup.VerifyOptions{Sample: 5},
	})
	var table bytes.Buffer
	res.WriteTable(&table)
	if err != nil {
		t.Fatalf("recovery: %v\n%s\n%s\n%s", err, table.String(), rep, deployOut.String())
	}
	var steps []string
	for _, s := range res.Steps {
		steps = append(steps, s.Name)
	}
	if got := strings.Join(steps, ","); got != "reach,host key,deploy,password data,restore data,sqlite /root/data/app.db,reboot,verify data" {
		t.Errorf("steps = %s\n%s", got, table.String())
	}
	t.Logf("\n%s", table.String())

	if res.Steps[2].Result != "ok: switched to its configuration" {
		t.Errorf("deploy: %s", res.Steps[2].Result)
	}
	// The deployed generation is what the host booted into after the restore.
	lh, _ = lf.Host("p510")
	if cur, err := os.Readlink(filepath.Join(lh.RunDir(), "current-system")); err != nil || !strings.HasSuffix(cur, ".localfleet-g2") {
		t.Errorf("running system after the recovery: %s %v, want generation 2", cur, err)
	}
	// The data is back, byte for byte, and the database from its consistent copy.
	for name, content := range want {
		got, err := os.ReadFile(filepath.Join(lh.Dir, name))
		if err != nil || !bytes.Equal(got, content) {
			t.Errorf("%s: %v (%d bytes, want %d)", name, err, len(got), len(content))
		}
	}
	if l, err := os.Readlink(filepath.Join(lh.Dir, "root/data/link")); err != nil || l != "hello.txt" {
		t.Errorf("symlink: %q %v", l, err)
	}
	if rows := fleettest.Sh(t, e, h, `sqlite3 /root/data/app.db "SELECT group_concat(x) FROM t;"`); rows != "a,b,c" {
		t.Errorf("restored database rows = %q", rows)
	}
	// secrets.nix names the new key and the password is encrypted to it (agenix on the host
	// decrypts it again); the old key is no recipient any more.
	newKey, _ := secrets.ParseRecipient(strings.TrimSpace(string(newPub)))
	src, _ := os.ReadFile(rulesPath)
	if !strings.Contains(string(src), newKey.Key) || strings.Contains(string(src), oldKey.Key) {
		t.Errorf("secrets.nix after the recovery:\n%s", src)
	}
	hostID, err := secrets.LoadIdentities(filepath.Join(lh.Dir, "ssh_host_ed25519_key"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := secrets.DecryptFile(filepath.Join(sdir, "restic-password.age"), hostID); err != nil || string(pt) != password {
		t.Errorf("the new host key cannot decrypt the password: %q %v", pt, err)
	}
	// No plaintext password is left on the host.
	if _, err := os.Stat(filepath.Join(lh.RunDir(), "hub-recovery")); err == nil {
		t.Errorf("%s is still on the host", passwordDir)
	}
}
