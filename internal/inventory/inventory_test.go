package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const goodHost = `
description = "test host"
class = "server"
system = "x86_64-linux"
hardware = "intel-integrated"
tags = ["lab"]
`

// writeFleet lays out an inventory dir: files maps relative path -> content.
func writeFleet(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loadFails loads the inventory files make and fails t unless Load refuses it with an error
// containing want; it returns the error for the caller's further checks.
func loadFails(t *testing.T, files map[string]string, want string) error {
	t.Helper()
	_, err := Load(writeFleet(t, files))
	if err == nil {
		t.Fatal("Load accepted the inventory")
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q\ndoes not contain %q", err, want)
	}
	return err
}

func TestLoadDefaultsAndOverrides(t *testing.T) {
	dir := writeFleet(t, map[string]string{
		"fleet.toml": `
flake = "../demo"
[defaults.ssh]
user = "deploy"
options = ["ConnectTimeout=5"]
sudo = true
[defaults.build]
on = "host"
host = "builder"
[defaults.deploy]
confirm_timeout = "45s"
copy_timeout = "3h"
reboot_timeout = "5m"
`,
		"builder/host.toml": goodHost + `roles = ["build-host"]
[build]
on = "local"
`,
		"web/host.toml": goodHost + `guarded = true
[ssh]
destination = "10.0.0.5"
port = 2222
options = ["IdentitiesOnly=yes"]
[deploy]
boot_min_free_mib = 300
system_running = "running"
reboot_timeout = "20m"
[[health]]
http = "http://127.0.0.1:8080/health"
from = "target"
[[health]]
unit = "nginx.service"
timeout = "3s"
retries = 5
`,
	})
	f, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(dir), "demo"); f.Flake != want {
		t.Errorf("Flake = %q, want %q", f.Flake, want)
	}
	if got := strings.Join(f.Names(), ","); got != "builder,web" {
		t.Fatalf("hosts = %s", got)
	}
	b, _ := f.Host("builder")
	if b.Build.On != BuildLocal || b.Build.Host != "" {
		t.Errorf("builder build = %+v, want local with no build host", b.Build)
	}
	if b.SSH.Destination != "builder" || b.SSH.User != "deploy" || !b.SSH.Sudo {
		t.Errorf("builder ssh = %+v", b.SSH)
	}
	w, _ := f.Host("web")
	want := SSH{Destination: "10.0.0.5", User: "deploy", Port: 2222, Options: []string{"ConnectTimeout=5", "IdentitiesOnly=yes"}, Sudo: true}
	if strings.Join(w.SSH.Options, " ") != strings.Join(want.Options, " ") || w.SSH.Destination != want.Destination || w.SSH.Port != 2222 {
		t.Errorf("web ssh = %+v, want %+v", w.SSH, want)
	}
	if w.Build.On != BuildHost || w.Build.Host != "builder" {
		t.Errorf("web build = %+v", w.Build)
	}
	// Defaults (step, activation), fleet.toml (copy) and host.toml (reboot over fleet.toml's).
	if w.Deploy != (Deploy{BootMinFreeMiB: 300, ConfirmTimeout: 45 * time.Second, SystemRunning: SystemRunning,
		StepTimeout: time.Minute, CopyTimeout: 3 * time.Hour, ActivationTimeout: 30 * time.Minute, RebootTimeout: 20 * time.Minute}) {
		t.Errorf("web deploy = %+v", w.Deploy)
	}
	if !w.Guarded {
		t.Error("web not guarded")
	}
	wantHealth := []HealthCheck{
		{HTTP: "http://127.0.0.1:8080/health", From: FromTarget, Status: 200, Timeout: 10 * time.Second, Retries: 3},
		{Unit: "nginx.service", From: FromTarget, Timeout: 3 * time.Second, Retries: 5},
	}
	if len(w.Health) != 2 || w.Health[0] != wantHealth[0] || w.Health[1] != wantHealth[1] {
		t.Errorf("health = %+v, want %+v", w.Health, wantHealth)
	}
	if w.Health[0].Kind() != "http" || w.Health[1].Kind() != "unit" {
		t.Errorf("kinds = %s %s", w.Health[0].Kind(), w.Health[1].Kind())
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // each an exact line of the joined error, with DIR for the inventory dir
	}{
		{"unknown key", map[string]string{"a/host.toml": goodHost + "[ssh]\nprot = 22\n"},
			[]string{"DIR/a/host.toml:8: ssh.prot: unknown key"}},
		{"sudo password without sudo", map[string]string{"a/host.toml": goodHost + "[ssh]\nuser = \"admin\"\nsudo_password = true\n"},
			[]string{"DIR/a/host.toml:9: ssh.sudo_password: sudo_password = true needs sudo = true (the password is for sudo)"}},
		{"unknown key in fleet.toml", map[string]string{"fleet.toml": "[defaults.deploy]\nboot_min_free = 1\n", "a/host.toml": goodHost},
			[]string{"DIR/fleet.toml:2: defaults.deploy.boot_min_free: unknown key"}},
		{"wrong type", map[string]string{"a/host.toml": goodHost + "[ssh]\nport = \"22\"\n"},
			[]string{`DIR/a/host.toml:8: ssh.port: incompatible types: TOML value has type string; destination has type integer`}},
		{"syntax error", map[string]string{"a/host.toml": goodHost + "guarded = \n"},
			[]string{`DIR/a/host.toml:7: guarded: expected value but found '\n' instead`}},
		{"bad duration", map[string]string{"a/host.toml": goodHost + "[deploy]\nconfirm_timeout = \"soon\"\n"},
			[]string{`DIR/a/host.toml:8: deploy.confirm_timeout: not a duration: "soon" (use e.g. "30s", "2m")`}},
		{"zero deadline", map[string]string{"a/host.toml": goodHost + "[deploy]\ncopy_timeout = \"0s\"\n"},
			[]string{`DIR/a/host.toml:8: deploy.copy_timeout: duration must be positive, got "0s"`}},
		{"missing system", map[string]string{"a/host.toml": "class = \"server\"\nhardware = \"amd-gpu\"\n"},
			[]string{"DIR/a/host.toml: system: missing (one of x86_64-linux, aarch64-linux)"}},
		{"bad class", map[string]string{"a/host.toml": strings.Replace(goodHost, `"server"`, `"desktop"`, 1)},
			[]string{`DIR/a/host.toml:3: class: "desktop" is not one of workstation, server, laptop`}},
		{"tag syntax", map[string]string{"a/host.toml": strings.Replace(goodHost, `["lab"]`, `["lab", "Bad Tag"]`, 1)},
			[]string{`DIR/a/host.toml:6: tags: tags[1] "Bad Tag" must match ^[a-z0-9][a-z0-9-]*$`}},
		{"duplicate tag", map[string]string{"a/host.toml": goodHost + "roles = [\"x\", \"x\"]\n"},
			[]string{`DIR/a/host.toml:7: roles: "x" listed twice`}},
		{"unknown build host", map[string]string{"a/host.toml": goodHost + "[build]\non = \"host\"\nhost = \"nope\"\n"},
			[]string{`DIR/a/host.toml:9: build.host: unknown build host "nope" (hosts: a)`}},
		{"build host of another system", map[string]string{
			"a/host.toml": goodHost + "[build]\non = \"host\"\nhost = \"b\"\n",
			"b/host.toml": strings.Replace(goodHost, "x86_64", "aarch64", 1)},
			[]string{`DIR/a/host.toml:9: build.host: build host "b" is aarch64-linux but a is x86_64-linux`}},
		{"bad build location", map[string]string{"a/host.toml": goodHost + "[build]\non = \"cloud\"\n"},
			[]string{`DIR/a/host.toml:8: build.on: "cloud" is not one of local, target, host`}},
		{"duplicate destination", map[string]string{"a/host.toml": goodHost + "[ssh]\ndestination = \"x\"\n", "b/host.toml": goodHost + "[ssh]\ndestination = \"x\"\n"},
			[]string{`DIR/b/host.toml:8: ssh.destination: x:0 is also the destination of host "a"`}},
		{"bad host dir name", map[string]string{"Web_1/host.toml": goodHost},
			[]string{`DIR/Web_1/host.toml: host name "Web_1" (the directory name) must match ^[a-z0-9][a-z0-9-]*$`}},
		{"health with two kinds", map[string]string{"a/host.toml": goodHost + "[[health]]\nunit = \"a\"\ntcp = \"x:1\"\n"},
			[]string{`DIR/a/host.toml:7: health[0]: needs exactly one of unit, http, tcp, command (has 2)`}},
		{"health bad url", map[string]string{"a/host.toml": goodHost + "[[health]]\nunit = \"a\"\n[[health]]\nhttp = \"localhost:80\"\n"},
			[]string{`DIR/a/host.toml:10: health[1].http: "localhost:80" is not an http(s) URL`}},
		{"bad ssh option and port", map[string]string{"a/host.toml": goodHost + "[ssh]\nport = 70000\noptions = [\"Compression yes\"]\n"},
			[]string{`DIR/a/host.toml:8: ssh.port: 70000 is not a port (1-65535)`, `DIR/a/host.toml:9: ssh.options: options[0] "Compression yes" must be Key=Value`}},
		{"no hosts", map[string]string{"fleet.toml": ""},
			[]string{"DIR: no hosts: add <name>/host.toml (see docs/inventory.md)"}},
		{"bad system_running", map[string]string{"a/host.toml": goodHost + "[deploy]\nsystem_running = \"maybe\"\n"},
			[]string{`DIR/a/host.toml:8: deploy.system_running: "maybe" is not one of running, degraded, ignore`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFleet(t, tt.files)
			_, err := Load(dir)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			got := strings.Split(strings.ReplaceAll(err.Error(), dir, "DIR"), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("error:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestLookup(t *testing.T) {
	f := &Fleet{Dir: "hosts", Hosts: []*Host{{Name: "p510"}, {Name: "p620"}}}
	if h, err := f.Lookup("p620"); err != nil || h.Name != "p620" {
		t.Errorf("Lookup(p620) = %v, %v", h, err)
	}
	if _, err := f.Lookup("p62"); err == nil || err.Error() != `no host "p62" in hosts (hosts: p510, p620)` {
		t.Errorf("Lookup(p62) err = %v", err)
	}
}

func TestSelect(t *testing.T) {
	mk := func(name string, tags, roles []string) *Host {
		return &Host{Name: name, Tags: tags, Roles: roles}
	}
	f := &Fleet{Hosts: []*Host{
		mk("dex5550", []string{"server"}, []string{"monitoring-server"}),
		mk("hp", []string{"server"}, nil),
		mk("p510", []string{"server"}, []string{"media-server"}),
		mk("p620", []string{"workstation"}, []string{"build-host"}),
		mk("razer", []string{"laptop"}, nil),
		mk("samsung", []string{"laptop"}, nil),
	}}
	tests := []struct {
		expr, want, err string
	}{
		{expr: "p620", want: "p620"},
		{expr: "*", want: "dex5550,hp,p510,p620,razer,samsung"},
		{expr: "@all,!p*", want: "dex5550,hp,razer,samsung"},
		{expr: "p*", want: "p510,p620"},
		{expr: "@laptop", want: "razer,samsung"},
		{expr: "@media-server", want: "p510"},
		{expr: "@laptop,p5*,!razer", want: "p510,samsung"},
		{expr: " razer , hp ", want: "hp,razer"},
		{expr: "!@server", want: "p620,razer,samsung"},
		{expr: "@server,!hp,!dex*", want: "p510"},
		{expr: "", err: `empty host selection: name hosts, globs, @tag or @role (e.g. "@laptop,p5*,!razer"), or "*" for all`},
		{expr: "nope", err: `selection "nope": "nope" matches no host (hosts: dex5550, hp, p510, p620, razer, samsung)`},
		{expr: "@nope", err: `selection "@nope": "@nope" matches no host (hosts: dex5550, hp, p510, p620, razer, samsung)`},
		{expr: "razer,!razer", err: `selection "razer,!razer" selects no host`},
		{expr: "p620,,hp", err: `selection "p620,,hp": empty term`},
		{expr: "p[", err: `selection "p[": "p[": bad glob: syntax error in pattern`},
		{expr: "@Bad", err: `selection "@Bad": "@Bad": a tag or role must match ^[a-z0-9][a-z0-9-]*$`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			hosts, err := f.Select(tt.expr)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, h := range hosts {
				names = append(names, h.Name)
			}
			if got := strings.Join(names, ","); got != tt.want {
				t.Errorf("Select(%q) = %s, want %s", tt.expr, got, tt.want)
			}
		})
	}
}
