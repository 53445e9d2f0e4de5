package backup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/nix"
)

// resticBackup is the part of modules/lib/backup-sets.nix's output (one services.restic.backups entry)
// that the units below use.
type resticBackup struct {
	Paths           []string       `json:"paths"`
	Exclude         []string       `json:"exclude"`
	Repository      string         `json:"repository"`
	PasswordFile    string         `json:"passwordFile"`
	ExtraBackupArgs []string       `json:"extraBackupArgs"`
	PruneOpts       []string       `json:"pruneOpts"`
	Prepare         *string        `json:"backupPrepareCommand"`
	Cleanup         *string        `json:"backupCleanupCommand"`
	TimerConfig     map[string]any `json:"timerConfig"` // strings, and Persistent a bool where backup-sets.nix sets it
	Initialize      bool           `json:"initialize"`
}

// resticModule is what modules/backup/restic.nix sets for one host: the services.restic.backups
// entries (from modules/lib/backup-sets.nix) and the unit settings it adds to their services.
type resticModule struct {
	Backups  map[string]resticBackup `json:"backups"`
	Services map[string]struct {
		UnitConfig    map[string]any `json:"unitConfig"`
		ServiceConfig map[string]any `json:"serviceConfig"`
	} `json:"services"`
}

// evalResticModule evaluates modules/backup/restic.nix for a host with the repository's offline
// lib (nix/options-lib.nix, the one the option check uses: nixpkgs cannot be fetched here), with
// pkgs.restic at /usr/local/bin/restic and the textfile directory and timer given.
func evalResticModule(t *testing.T, host string, table map[string]any, textfileDir string, timer map[string]string) resticModule {
	t.Helper()
	toml, _ := json.Marshal(map[string]any{"backup": []any{table}})
	timerJSON, _ := json.Marshal(timer)
	expr := fmt.Sprintf(`let
  lib = import ../../nix/options-lib.nix;
  pkgs = { restic = { outPath = "/usr/local"; name = "restic"; meta.mainProgram = "restic"; }; sqlite = { outPath = "/usr"; name = "sqlite"; }; };
  config = {
    hub.features.restic = { enable = true; timerConfig = builtins.fromJSON %q; };
    hub.features.node-exporter.textfileDir = %q;
    hub.host = { name = %q; toml = builtins.fromJSON %q; };
  };
  m = import ../../modules/backup/restic.nix { inherit config lib pkgs; };
  # config is mkMerge [ assertions (mkIf cfg.enable { ... }) ]: the offline lib keeps the markers.
  c = (builtins.elemAt m.config.contents 1).content;
in { backups = c.services.restic.backups; services = c.systemd.services; }`, timerJSON, textfileDir, host, toml)
	out, err := exec.CommandContext(t.Context(), "nix-instantiate", append(nix.EvalArgs(), "--eval", "--strict", "--json", "-E", expr)...).CombinedOutput()
	if err != nil {
		t.Fatalf("evaluating modules/backup/restic.nix: %v\n%s", err, out)
	}
	var m resticModule
	if err := json.Unmarshal(out[bytes.LastIndexByte(bytes.TrimSpace(out), '\n')+1:], &m); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return m
}

// resticUnits renders one backup as nixos-25.11's services.restic module turns it into units
// (nixos/modules/services/backup/restic.nix: preStart = prepare, then `cat config || init`
// with initialize, then the paths into --files-from; ExecStart = backup, unlock, forget
// --prune; postStop = cleanup; the environment; the timer), plus the unitConfig
// modules/backup/restic.nix adds for a set with mount. It is a stand-in for the NixOS module
// system, which the local fleet does not have: the scripts inside are backup-sets.nix's own.
func resticUnits(name, restic, scripts string, b resticBackup, unitConfig, serviceConfig map[string]any) (service, timer string, files map[string]string) {
	files = map[string]string{}
	includes := "/run/restic-backups-" + name + "/includes"
	pre := "set -e\n"
	if b.Prepare != nil {
		files["prepare"] = *b.Prepare
		pre += "/bin/sh " + scripts + "/prepare\n"
	}
	if b.Initialize {
		pre += restic + " cat config > /dev/null || " + restic + " init\n"
	}
	pre += "printf '%s\\n' " + shellWords(b.Paths) + " >> " + includes + "\n"
	files["prestart"] = pre
	post := ""
	if b.Cleanup != nil {
		files["cleanup"] = *b.Cleanup
		post += "/bin/sh " + scripts + "/cleanup\n"
	}
	files["poststop"] = post + "rm " + includes + "\n"
	files["exclude"] = strings.Join(b.Exclude, "\n")
	var s strings.Builder
	fmt.Fprintf(&s, "[Unit]\nDescription=restic backup %s\n", name)
	for _, k := range slices.Sorted(maps.Keys(unitConfig)) {
		fmt.Fprintf(&s, "%s=%v\n", k, unitConfig[k])
	}
	fmt.Fprintf(&s, "\n[Service]\nType=oneshot\nEnvironment=RESTIC_CACHE_DIR=/var/cache/restic-backups-%s\n", name)
	for _, k := range slices.Sorted(maps.Keys(serviceConfig)) {
		v := serviceConfig[k]
		if b, ok := v.(bool); ok {
			v = map[bool]string{true: "yes", false: "no"}[b]
		}
		fmt.Fprintf(&s, "%s=%v\n", k, v)
	}
	fmt.Fprintf(&s, "Environment=RESTIC_PASSWORD_FILE=%s\nEnvironment=RESTIC_REPOSITORY=%s\n", b.PasswordFile, b.Repository)
	fmt.Fprintf(&s, "RuntimeDirectory=restic-backups-%s\nCacheDirectory=restic-backups-%s\nCacheDirectoryMode=0700\nPrivateTmp=true\n", name, name)
	fmt.Fprintf(&s, "ExecStartPre=/bin/sh %s/prestart\n", scripts)
	fmt.Fprintf(&s, "ExecStart=%s backup %s --exclude-file=%s/exclude --files-from=%s\n", restic, strings.Join(b.ExtraBackupArgs, " "), scripts, includes)
	fmt.Fprintf(&s, "ExecStart=%s unlock\nExecStart=%s forget --prune %s\n", restic, restic, strings.Join(b.PruneOpts, " "))
	fmt.Fprintf(&s, "ExecStopPost=/bin/sh %s/poststop\n", scripts)
	var tm strings.Builder
	fmt.Fprintf(&tm, "[Unit]\nDescription=restic backup %s timer\n\n[Timer]\n", name)
	for k, v := range b.TimerConfig {
		fmt.Fprintf(&tm, "%s=%v\n", k, v)
	}
	return s.String(), tm.String(), files
}

func shellWords(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = command.Quote([]string{w})
	}
	return strings.Join(q, " ")
}

// On a systemd host, the backup timer fires: the unit runs backup-sets.nix's scripts under
// systemd (SERVICE_RESULT decides the metric), takes a snapshot tagged and hosted as backup:run
// does, and writes the textfile metric; without its disk the unit fails its mount assertion
// before any command, so nothing creates a repository on the empty mount point.
func TestSystemdHostBackupTimer(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620"}, Systemd: true}, "restic", "sqlite3")
	// Outside /root: the units run with ProtectHome=read-only, as on NixOS.
	table := map[string]any{"name": "data", "paths": []string{"/var/lib/hub-data"}, "exclude": []string{"*.tmp"},
		"repository": "/mnt/backup/restic", "mount": "/mnt/backup",
		"password_file": "/var/lib/hub-secret/restic-password", "keep_last": 3}
	fleettest.AppendHostTOML(t, lf, "p620", backupTable) // for the SSH settings and a set the hub reads the snapshots of
	inv := fleettest.Inventory(t, lf)
	e := &command.Executor{}
	defer e.Close()
	host, _ := inv.Host("p620")
	remote := e.SSH(host.Name, host.SSH)
	run := func(t *testing.T, stdin []byte, script string, args ...string) string {
		t.Helper()
		res, err := remote.Run(t.Context(), command.Cmd{Args: append([]string{"sh", "-c", script, "sh"}, args...), Stdin: bytes.NewReader(stdin)})
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(res.Stdout))
	}
	// The container is Debian's image without restic: the machine's (the same bookworm build)
	// goes in, as the NixOS module puts pkgs.restic into the unit.
	bin, err := os.ReadFile("/usr/bin/restic")
	if err != nil {
		t.Skip("needs /usr/bin/restic")
	}
	run(t, bin, `cat > /usr/local/bin/restic && chmod 0755 /usr/local/bin/restic`)
	run(t, nil, `set -e; umask 077; mkdir -p /var/lib/hub-data /var/lib/hub-secret /mnt/backup /var/lib/hub-disk /root/hub-units
printf pw > /var/lib/hub-secret/restic-password
for i in 1 2 3; do echo "file $i" > /var/lib/hub-data/f$i; done; echo skip > /var/lib/hub-data/x.tmp`)

	const name = "p620-data"
	const textfile = "/var/lib/prometheus-node-exporter/textfile"
	m := evalResticModule(t, "p620", table, textfile, map[string]string{"OnActiveSec": "1s", "AccuracySec": "1s"})
	b, ok := m.Backups[name]
	svc, ok2 := m.Services["restic-backups-"+name]
	if !ok || !ok2 {
		t.Fatalf("modules/backup/restic.nix gave backups %v and services %v, want %s", m.Backups, m.Services, name)
	}
	if svc.UnitConfig["AssertPathIsMountPoint"] != "/mnt/backup" {
		t.Errorf("unitConfig = %v, want the mount asserted", svc.UnitConfig)
	}
	service, timer, files := resticUnits(name, "/usr/local/bin/restic", "/root/hub-units", b, svc.UnitConfig, svc.ServiceConfig)
	for f, content := range files {
		run(t, []byte(content), `cat > "$1"`, "/root/hub-units/"+f)
	}
	run(t, []byte(service), `mkdir -p /run/systemd/system && cat > /run/systemd/system/restic-backups-p620-data.service`)
	run(t, []byte(timer), `cat > /run/systemd/system/restic-backups-p620-data.timer && systemctl daemon-reload`)
	unit := "restic-backups-" + name
	show := func(t *testing.T, u, prop string) string {
		return run(t, nil, `systemctl show -p "$1" --value "$2"`, prop, u)
	}
	// fire starts the timer and waits until it has triggered the service and the service is
	// done (the timer's LastTriggerUSec moves when it elapses).
	fire := func(t *testing.T) {
		t.Helper()
		before := show(t, unit+".timer", "LastTriggerUSecMonotonic")
		run(t, nil, `systemctl restart "$1"`, unit+".timer")
		deadline := time.Now().Add(60 * time.Second)
		for {
			// A restart may clear the trigger time (0) before the timer elapses.
			if last := show(t, unit+".timer", "LastTriggerUSecMonotonic"); last != before && last != "0" &&
				!strings.HasSuffix(show(t, unit+".service", "ActiveState"), "ing") {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the timer did not run the backup within 60s: %s", run(t, nil, `systemctl status "$1" 2>&1 || true`, unit+".service"))
			}
			time.Sleep(300 * time.Millisecond)
		}
	}

	t.Run("no disk: the unit does not start", func(t *testing.T) {
		fire(t)
		if got := show(t, unit+".service", "AssertResult"); got != "no" {
			t.Errorf("AssertResult = %q, want no (the mount assertion failed)", got)
		}
		if got := run(t, nil, `ls -A /mnt/backup`); got != "" {
			t.Errorf("the empty mount point got %q: a repository was created without the disk", got)
		}
		if got := run(t, nil, `ls `+textfile+` 2>/dev/null || true`); got != "" {
			t.Errorf("metric written without a backup: %q", got)
		}
	})

	t.Run("the timer backs up", func(t *testing.T) {
		run(t, nil, `mount --bind /var/lib/hub-disk /mnt/backup`)
		fire(t)
		if got := show(t, unit+".service", "Result"); got != "success" {
			t.Fatalf("backup unit result %q:\n%s", got, run(t, nil, `journalctl -u "$1" --no-pager -n 30 2>&1 || true`, unit+".service"))
		}
		set, _ := host.Backup("data")
		set.Repository, set.PasswordFile, set.Mount = "/mnt/backup/restic", "/var/lib/hub-secret/restic-password", "/mnt/backup"
		snaps, err := NewJob(e, host, set).Snapshots(t.Context())
		if err != nil || len(snaps) != 1 || snaps[0].Hostname != "p620" {
			t.Fatalf("snapshots after the timer: %+v %v", snaps, err)
		}
		metric := run(t, nil, `cat `+textfile+`/hub_backup_data.prom`)
		if !strings.Contains(metric, `hub_backup_last_success_timestamp_seconds{set="data"} `) {
			t.Errorf("metric after the timer:\n%s", metric)
		}
		if got := run(t, nil, `restic -r /mnt/backup/restic --password-file /var/lib/hub-secret/restic-password ls latest`); strings.Contains(got, "x.tmp") || !strings.Contains(got, "/var/lib/hub-data/f3") {
			t.Errorf("snapshot content:\n%s", got)
		}
	})
}
