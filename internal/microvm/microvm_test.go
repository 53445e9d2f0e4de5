package microvm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/inventory"
)

func testFleet(t *testing.T) *inventory.Fleet {
	t.Helper()
	dir := t.TempDir()
	hosts := map[string]string{
		"p620": `features = ["microvm"]
[ssh]
destination = "p620.lan"
sudo = true

[[microvm]]
name = "dev-vm"
vcpu = 4
memory_mib = 8192
ssh_port = 2222
user = "dev"

[[microvm]]
name = "test-vm"
ssh_port = 2223
autostart = false
`,
		"razer": `features = ["microvm"]
[[microvm]]
name = "dev-vm"
ssh_port = 2222
`,
		"hp": "",
	}
	for name, extra := range hosts {
		os.MkdirAll(filepath.Join(dir, name), 0o755)
		body := "class = \"workstation\"\nsystem = \"x86_64-linux\"\nhardware = \"amd-gpu\"\n" + extra
		if err := os.WriteFile(filepath.Join(dir, name, "host.toml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := inventory.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func ids(gs []Guest) string {
	var s []string
	for _, g := range gs {
		s = append(s, g.ID())
	}
	return strings.Join(s, " ")
}

func TestSelect(t *testing.T) {
	f := testFleet(t)
	for _, tc := range []struct{ expr, want, err string }{
		{"*", "p620/dev-vm p620/test-vm razer/dev-vm", ""},
		{"p620", "p620/dev-vm p620/test-vm", ""},
		{"*/dev-vm", "p620/dev-vm razer/dev-vm", ""},
		{"p620/test-*,razer", "razer/dev-vm p620/test-vm", ""},
		{"*,!razer", "p620/dev-vm p620/test-vm", ""},
		{"p620/nope", "", `"p620/nope" matches no declared guest (declared: p620/dev-vm, p620/test-vm)`},
		{"hp", "", "no [[microvm]] guests on the selected hosts"},
		{"nohost/dev-vm", "", `"nohost" matches no host`},
		{"!p620/dev-vm", "", "exclude a guest's host"},
	} {
		got, err := Select(f, tc.expr)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Select(%q) error = %v, want %q", tc.expr, err, tc.err)
			}
			continue
		}
		if err != nil || ids(got) != tc.want {
			t.Errorf("Select(%q) = %q, %v; want %q", tc.expr, ids(got), err, tc.want)
		}
	}
}

// The command lines a microvm.nix host gets, recorded through the executor's dry run: what only
// a real NixOS host runs (docs/microvm.md).
func TestSystemdCommandLines(t *testing.T) {
	f := testFleet(t)
	gs, err := Select(f, "p620/dev-vm")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e := &command.Executor{DryRun: true, Out: &out, ControlDir: "/run/hub-ssh"}
	defer e.Close()
	m := &Manager{Exec: e, Driver: Systemd}
	ctx := context.Background()
	g := gs[0]
	for _, step := range []struct {
		name string
		run  func() error
	}{
		{"start", func() error { _, err := m.Start(ctx, g, 1); return err }},
		{"stop", func() error { _, err := m.Stop(ctx, g); return err }},
		{"restart", func() error { _, err := m.Restart(ctx, g); return err }},
		{"create", func() error { _, err := m.Create(ctx, g); return err }},
		{"destroy", func() error { _, err := m.Destroy(ctx, g); return err }},
		{"logs", func() error { _, err := m.Logs(ctx, g, 50); return err }},
	} {
		fmt.Fprintf(&out, "# vm:%s p620/dev-vm\n", step.name)
		if err := step.run(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
	}
	if _, err := m.Update(ctx, g); !errors.Is(err, ErrDeclarative) {
		t.Errorf("Update on a systemd host = %v, want ErrDeclarative", err)
	}
	goldenfile.Check(t, "testdata/systemd-commands.golden", out.Bytes())
}

func TestParseSystemdStatus(t *testing.T) {
	for _, tc := range []struct{ out, state, gen string }{
		{"ActiveState=active\nSubState=running\nMainPID=4242\nActiveEnterTimestamp=@1764590000\nDir=yes\nBooted=/nix/store/abc-microvm-qemu-dev-vm\n", Running, "/nix/store/abc-microvm-qemu-dev-vm"},
		{"ActiveState=inactive\nSubState=dead\nMainPID=0\nActiveEnterTimestamp=\nDir=yes\nBooted=\n", Stopped, ""},
		{"ActiveState=inactive\nSubState=dead\nMainPID=0\nActiveEnterTimestamp=\nDir=no\n", Absent, ""},
		{"ActiveState=failed\nSubState=failed\nMainPID=0\nDir=yes\nBooted=\n", Failed, ""},
	} {
		var st Status
		if err := parseSystemdStatus(tc.out, &st); err != nil || st.State != tc.state || st.Generation != tc.gen {
			t.Errorf("parse %q = %+v, %v", tc.out, st, err)
		}
	}
	var st Status
	if err := parseSystemdStatus("Unit microvm@x.service could not be found.\n", &st); err == nil {
		t.Error("accepted output without ActiveState")
	}
	if err := parseSystemdStatus("ActiveState=active\nMainPID=7\nActiveEnterTimestamp=@1764590000\n", &st); err != nil || st.PID != 7 || !st.Since.Equal(time.Unix(1764590000, 0)) {
		t.Errorf("parse = %+v, %v", st, err)
	}
}

func TestParseQEMUStatus(t *testing.T) {
	var st Status
	if err := parseQEMUStatus("running 31219 tcg 3 1764590000 2 256 /nix/store/abc-nixos-system-dev-25.11.localfleet-g3\n", &st); err != nil ||
		st.State != Running || st.PID != 31219 || st.Accel != "tcg" || st.Generation != "3" || st.VCPU != 2 || st.MemoryMiB != 256 ||
		st.System != "/nix/store/abc-nixos-system-dev-25.11.localfleet-g3" {
		t.Errorf("parse = %+v, %v", st, err)
	}
	if err := parseQEMUStatus("absent - - - - - - -", &st); err != nil || st.State != Absent {
		t.Errorf("parse absent = %+v, %v", st, err)
	}
	if err := parseQEMUStatus("sh: qemu: not found", &st); err == nil {
		t.Error("accepted garbage")
	}
}

func TestRecordHostKey(t *testing.T) {
	f := testFleet(t)
	gs, _ := Select(f, "p620,razer")
	file := filepath.Join(t.TempDir(), "kh", "known_hosts")
	for _, k := range []struct {
		g   Guest
		key string
	}{{gs[0], "ssh-ed25519 AAA1"}, {gs[2], "ssh-ed25519 BBB"}, {gs[0], "ssh-ed25519 AAA2"}} {
		if err := RecordHostKey(file, k.g, k.key); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(file)
	want := "[razer]:2222 ssh-ed25519 BBB\n[p620.lan]:2222 ssh-ed25519 AAA2\n"
	if string(data) != want {
		t.Errorf("known_hosts:\n%s\nwant\n%s", data, want)
	}
	args := strings.Join(SSHArgs(gs[0], file, true), " ")
	if !strings.Contains(args, "-p 2222") || !strings.Contains(args, "StrictHostKeyChecking=yes") || !strings.HasSuffix(args, "dev@p620.lan") {
		t.Errorf("SSHArgs = %s", args)
	}
}
