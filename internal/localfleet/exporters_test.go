package localfleet

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/media/mediatest"
)

// buildExporters builds the three exporters of this checkout under their program names, as
// exporters:build does (static, CGO_ENABLED=0) but without -trimpath, so that the go test
// build cache serves them: about 15 s the first time, well under one after.
func buildExporters(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ExporterPrograms() {
		src := "./exporters/" + strings.TrimSuffix(strings.TrimPrefix(p, "hub-"), "-exporter")
		cmd := exec.CommandContext(t.Context(), "go", "build", "-o", filepath.Join(bin, p), src)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", src, err, out)
		}
	}
	return bin
}

// TestSystemdHostExporters runs the hub's three exporters on a systemd host under the units the
// NixOS modules define (modules/lib/exporter-services.nix, rendered by nix/localfleet/units.nix): each
// reaches active, answers /metrics on the host's address, runs as a dynamic user inside the
// modules' sandbox, and the media exporter reads its API key from a root-only 0400 file that an
// agenix-style activation decrypted (the layout that stopped the exporter on p510) through
// LoadCredential.
func TestSystemdHostExporters(t *testing.T) {
	requireSystemd(t)
	if _, err := exec.LookPath("age"); err != nil {
		t.Skip("needs the age CLI (Debian package age) to encrypt the media key")
	}
	bin := buildExporters(t)

	// Jellyfin's recorded replies behind its real credential check, on loopback: up=1 proves the
	// exporter sent the key it was given.
	const key = "jellyfin-key-of-p620"
	handler, err := mediatest.Handler("jellyfin", key, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	const h = "p620"
	f, took := upFleetWith(t, Config{Hosts: []string{h}, SystemdHosts: []string{h}})
	t.Logf("systemd host up in %s", took)

	// The key as an agenix secret encrypted to the host's ssh key (with the age CLI), which the
	// activation decrypts before the units start, as agenix's default mode does on NixOS:
	// /run/agenix/jellyfin-api-key, root, 0400, in a ramfs generation /run/agenix points at.
	const credential = "/run/agenix/jellyfin-api-key"
	hostKey := filepath.Join(mustHost(t, f, h).Dir, "ssh_host_ed25519_key")
	ageFile := filepath.Join(t.TempDir(), "jellyfin-api-key.age")
	enc := exec.CommandContext(t.Context(), "age", "-R", hostKey+".pub", "-o", ageFile)
	enc.Stdin = strings.NewReader(key)
	if out, err := enc.CombinedOutput(); err != nil {
		t.Fatalf("age: %v\n%s", err, out)
	}

	sys := buildVariant(t, f, h, Variant{Generation: 2,
		Agenix: &Agenix{Mode: AgenixActivation, Identity: hostKey, Secrets: map[string]string{"jellyfin-api-key": ageFile}},
		Exporters: &Exporters{Bin: bin,
			Media: map[string]MediaApp{"jellyfin": {URL: "http://" + ln.Addr().String(), Credential: credential}}}})
	start := time.Now()
	nixCopy(t, f, h, sys)
	code, out := deploy(t, f, h, sys, "switch")
	t.Logf("copy and switch took %s", time.Since(start))
	if code != 0 || !strings.Contains(out, "starting the following units: hub-baseline-exporter.service, hub-media-exporter.service, hub-nixos-exporter.service") {
		t.Fatalf("switch to the system with the exporters: exit %d:\n%s", code, out)
	}
	addr := mustHost(t, f, h).Address

	for _, tc := range []struct {
		unit  string
		port  int    // modules/lib/exporter-services.nix's ports
		ready string // a metric that appears once the exporter's first background work is done
		want  []string
	}{
		{"hub-nixos-exporter.service", 9101, "hub_nixos_store_scan_success", []string{
			`hub_nixos_scrape_collector_success{collector="system"} 1`,
			`hub_nixos_system_present{role="current"} 1`,
			`hub_nixos_profile_generation 2`,
			`hub_nixos_current_generation 2`,
			// nix-store --query --requisites as the dynamic user, through the nix-daemon's
			// socket (AF_UNIX) under ProtectSystem=strict; the scan runs as the exporter starts.
			`hub_nixos_store_scan_success{part="closure"} 1`,
			`hub_nixos_store_scan_success{part="store"} 1`,
		}},
		{"hub-media-exporter.service", 9102, "", []string{
			`hub_media_up{app="jellyfin",name="main"} 1`,
			`hub_media_app_info{app="jellyfin",name="main",version=`,
		}},
		{"hub-baseline-exporter.service", 9103, "", []string{
			`hub_baseline_scrape_collector_success{collector="baseline"} 1`,
			`hub_baseline_threshold 3`,
		}},
	} {
		t.Run(tc.unit, func(t *testing.T) {
			if st := inside(t, f, h, "sh", "-c", "systemctl is-active "+tc.unit+" || true"); st != "active" {
				t.Fatalf("%s is %q:\n%s", tc.unit, st, inside(t, f, h, "sh", "-c", "journalctl -b --no-pager -o cat -u "+tc.unit+" | tail -20"))
			}
			metrics := scrape(t, fmt.Sprintf("http://%s:%d/metrics", addr, tc.port), tc.ready)
			for _, w := range tc.want {
				if !strings.Contains(metrics, w) {
					t.Errorf("/metrics lacks %q", w)
				}
			}
			if t.Failed() {
				t.Logf("/metrics:\n%s", metrics)
			}

			pid := inside(t, f, h, "systemctl", "show", "-p", "MainPID", "--value", tc.unit)
			proc := procStatus(t, f, h, pid)
			// DynamicUser: a uid from systemd's dynamic range (61184-65519), no root.
			uid, _ := strconv.Atoi(strings.Fields(proc["Uid"])[0])
			if uid < 61184 || uid > 65519 {
				t.Errorf("runs as uid %d, want a dynamic user (61184-65519)", uid)
			}
			// NoNewPrivileges, the syscall filter and the empty capability sets are in effect in
			// the process, not only written in the unit.
			for field, want := range map[string]string{"NoNewPrivs": "1", "Seccomp": "2", "CapEff": "0000000000000000",
				"CapBnd": "0000000000000000", "CapAmb": "0000000000000000"} {
				if proc[field] != want {
					t.Errorf("/proc/%s/status %s: %q, want %q", pid, field, proc[field], want)
				}
			}
			// ProtectSystem=strict (which DynamicUser implies too): in the service's mount
			// namespace even root cannot write /etc, which the host itself can.
			probe := "/etc/hub-exporter-probe"
			if out, err := inHost(t.Context(), mustHost(t, f, h), "nsenter", "-t", pid, "-m", "--", "touch", probe); err == nil {
				t.Errorf("wrote %s in %s's mount namespace", probe, tc.unit)
			} else if !strings.Contains(err.Error(), "Read-only file system") {
				t.Errorf("writing %s in %s's mount namespace: %v %s, want Read-only file system", probe, tc.unit, err, out)
			}
			inside(t, f, h, "sh", "-c", "touch "+probe+" && rm "+probe)
			// systemd's own reading of the unit's sandbox: systemd 252 rates the modules'
			// settings 1.4, and 2.0 without DynamicUser and ProtectSystem.
			sec := inside(t, f, h, "sh", "-c", "systemd-analyze security --no-pager "+tc.unit+" | tail -1")
			m := regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+)`).FindStringSubmatch(sec)
			if m == nil {
				t.Fatalf("systemd-analyze security: %q", sec)
			}
			t.Logf("%s", sec)
			if level, _ := strconv.ParseFloat(m[1], 64); level > 1.5 {
				t.Errorf("systemd-analyze security: %s, want an exposure level of at most 1.5", sec)
			}
		})
	}

	t.Run("the media exporter's credential reaches it only through LoadCredential", func(t *testing.T) {
		const unit = "hub-media-exporter.service"
		pid := inside(t, f, h, "systemctl", "show", "-p", "MainPID", "--value", unit)
		uid := strings.Fields(procStatus(t, f, h, pid)["Uid"])[0]
		env := inside(t, f, h, "sh", "-c", "tr '\\0' '\\n' < /proc/"+pid+"/environ")
		dir := "/run/credentials/" + unit
		if !strings.Contains(env, "CREDENTIALS_DIRECTORY="+dir+"\n") {
			t.Errorf("the exporter's environment has no CREDENTIALS_DIRECTORY=%s:\n%s", dir, env)
		}
		// The dynamic user cannot read the agenix file itself (what broke on p510) ...
		if out, err := inHost(t.Context(), mustHost(t, f, h), "setpriv", "--reuid="+uid, "--regid="+uid, "--clear-groups", "cat", credential); err == nil {
			t.Errorf("uid %s read %s directly (%q): the test would not show LoadCredential at work", uid, credential, out)
		}
		// ... but reads systemd's copy, which no one else can.
		if got := inside(t, f, h, "setpriv", "--reuid="+uid, "--regid="+uid, "--clear-groups", "cat", dir+"/jellyfin"); got != key {
			t.Errorf("uid %s reads %q from %s/jellyfin, want the key", uid, got, dir)
		}
		if out, err := inHost(t.Context(), mustHost(t, f, h), "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", dir+"/jellyfin"); err == nil {
			t.Errorf("nobody read the exporter's credential: %q", out)
		}
		if got := inside(t, f, h, "stat", "-L", "-c", "%a %U", credential); got != "400 root" {
			t.Errorf("%s: %s, want 400 root (agenix's layout)", credential, got)
		}
	})

	t.Run("the baseline exporter writes its state directory and nothing else", func(t *testing.T) {
		const unit = "hub-baseline-exporter.service"
		pid := inside(t, f, h, "systemctl", "show", "-p", "MainPID", "--value", unit)
		uid := strings.Fields(procStatus(t, f, h, pid)["Uid"])[0]
		// It saves its baselines when it stops; DynamicUser keeps the directory under
		// /var/lib/private, owned by the user it ran as.
		inside(t, f, h, "systemctl", "stop", unit)
		if got := inside(t, f, h, "stat", "-c", "%u %a", "/var/lib/private/hub-baseline-exporter/baselines.state"); got != uid+" 600" {
			t.Errorf("baselines.state: %q, want owned by uid %s, mode 600 (UMask=0077)", got, uid)
		}
		if got := inside(t, f, h, "readlink", "/var/lib/hub-baseline-exporter"); got != "private/hub-baseline-exporter" {
			t.Errorf("/var/lib/hub-baseline-exporter links to %q", got)
		}
	})
}

// scrape fetches an exporter's metrics, retrying while it starts listening and until the page
// holds ready.
func scrape(t *testing.T, url, ready string) string {
	t.Helper()
	var last error
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(url)
		if err != nil {
			last = err
			continue
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode == http.StatusOK {
			if strings.Contains(string(b), ready) {
				return string(b)
			}
			err = fmt.Errorf("no %s yet", ready)
		}
		last = fmt.Errorf("%s: %s %v", url, resp.Status, err)
	}
	t.Fatalf("scrape %s: %v", url, last)
	return ""
}

// procStatus reads /proc/<pid>/status of a process inside the host (pid in its namespace).
func procStatus(t *testing.T, f *Fleet, host, pid string) map[string]string {
	t.Helper()
	if pid == "" || pid == "0" {
		t.Fatalf("no main process (%q)", pid)
	}
	st := map[string]string{}
	for _, line := range strings.Split(inside(t, f, host, "cat", "/proc/"+pid+"/status"), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			st[k] = strings.TrimSpace(v)
		}
	}
	return st
}

// TestUnitsGolden renders a systemd host's unit files the way it gets them (Variant.Exporters,
// Variant.Agenix and Variant.Servarr through variants.json, system.nix, units.nix, the modules'
// settings in modules/lib/exporter-services.nix and servarr-apikey.nix), with stand-in binaries
// and .age files of fixed content so the store paths are stable: the golden files under testdata/units show what the host runs, and a
// change to the modules' settings shows up here as a diff.
func TestUnitsGolden(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("no nix-instantiate")
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	for _, p := range ExporterPrograms() {
		if err := os.WriteFile(filepath.Join(bin, p), []byte("stand-in for "+p+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(bin, "jellyfin-api-key.age")
	if err := os.WriteFile(secret, []byte("stand-in for an age file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := Variant{Exporters: &Exporters{Bin: bin, Media: map[string]MediaApp{
		"jellyfin": {URL: "http://127.0.0.1:8096", Credential: "/run/agenix/jellyfin-api-key"},
		"sonarr":   {URL: "http://127.0.0.1:8989", Credential: "/run/agenix/sonarr-api-key"},
	}}, Agenix: &Agenix{Mode: AgenixUnit, Secrets: map[string]string{"jellyfin-api-key": secret}},
		Servarr: map[string]string{"sonarr": "/run/agenix/sonarr-api-key"}}.normalized()
	if err != nil {
		t.Fatal(err)
	}
	flake := t.TempDir()
	hosts := []Host{{Name: "p620", Address: "127.0.10.1", Port: 22, Systemd: true}}
	if err := writeFlake(filepath.Join(root, "nix", "localfleet"), flake, "/tmp/hub-localfleet", hosts); err != nil {
		t.Fatal(err)
	}
	vj, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	expr := fmt.Sprintf(`(import %s/system.nix {
		name = "p620"; state = "/tmp/hub-localfleet";
		host = (builtins.fromJSON (builtins.readFile %s/params.json)).hosts.p620;
		variant = builtins.fromJSON %q;
	}).config.localfleet.units`, flake, flake, vj)
	out, err := run(t.Context(), "", nil, "nix-instantiate", "--eval", "--strict", "--json", "--store", "dummy://", "-E", expr)
	if err != nil {
		t.Fatal(err)
	}
	var units map[string]string
	if err := json.Unmarshal(out, &units); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := []string{"agenix-install-secrets.service", "hub-baseline-exporter.service", "hub-media-exporter.service",
		"hub-nixos-exporter.service", "nix-daemon.service", "nix-daemon.socket", "sonarr-apikey.service", "sonarr.service", "sshd.service"}
	if got := slices.Sorted(maps.Keys(units)); !slices.Equal(got, want) {
		t.Errorf("units %v, want %v", got, want)
	}
	for _, u := range want {
		goldenfile.Check(t, filepath.Join("testdata", "units", u), []byte(units[u]))
	}
}

// Agenix secrets go into variants.json hashed, and names and the identity checked: they become
// words of the unit's command line.
func TestAgenixNormalized(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a.age")
	if err := os.WriteFile(file, []byte("age"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		in      Agenix
		want    agenixJSON
		wantErr string
	}{
		{"default identity", Agenix{Mode: AgenixUnit, Secrets: map[string]string{"a": file}}, agenixJSON{Mode: "unit",
			Identity: "/etc/ssh/ssh_host_ed25519_key", Secrets: map[string]fixedFile{"a": {Source: file,
				SHA256: "013f54400c82da08037759ada907a8b864e97de81c088a182062c4b5622fd2ab"}}}, ""},
		{"no mode", Agenix{}, agenixJSON{}, `mode ""`},
		{"relative identity", Agenix{Mode: AgenixActivation, Identity: "key"}, agenixJSON{}, "identity"},
		{"name with a slash", Agenix{Mode: AgenixUnit, Secrets: map[string]string{"a/b": file}}, agenixJSON{}, "plain file name"},
		{"missing file", Agenix{Mode: AgenixUnit, Secrets: map[string]string{"a": file + ".gone"}}, agenixJSON{}, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.normalized()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// Exporters go into variants.json checked: the binaries hashed (a new build is a new system),
// and nothing that would break the nix expression or a LoadCredential line.
func TestExportersNormalized(t *testing.T) {
	bin := t.TempDir()
	for _, p := range ExporterPrograms() {
		if err := os.WriteFile(filepath.Join(bin, p), []byte(p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ok := MediaApp{URL: "http://127.0.0.1:8096", Credential: "/run/agenix/jellyfin-api-key"}
	for _, tc := range []struct {
		name    string
		in      Exporters
		wantErr string
	}{
		{"ok", Exporters{Bin: bin, Media: map[string]MediaApp{"jellyfin": ok}}, ""},
		{"relative bin", Exporters{Bin: "bin"}, "must be absolute"},
		{"missing binary", Exporters{Bin: t.TempDir()}, "hub-nixos-exporter: no such file"},
		{"unknown app", Exporters{Bin: bin, Media: map[string]MediaApp{"emby": ok}}, `media application "emby"`},
		{"credential with a colon", Exporters{Bin: bin, Media: map[string]MediaApp{"jellyfin": {URL: ok.URL, Credential: "/run/a:b"}}}, "credential"},
		{"relative credential", Exporters{Bin: bin, Media: map[string]MediaApp{"jellyfin": {URL: ok.URL, Credential: "key"}}}, "credential"},
		{"no url", Exporters{Bin: bin, Media: map[string]MediaApp{"jellyfin": {Credential: ok.Credential}}}, "no URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.normalized()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// sha256 of the file's bytes, as nix's flat fixed-output hash wants it.
			want := fixedFile{Source: filepath.Join(bin, "hub-nixos-exporter"), SHA256: "2af00f9c84495c0be86cf29d63839edb62c48379f6e595fe7e7a979f9f214c54"}
			if f := got.Bin["hub-nixos-exporter"]; f != want || len(got.Bin) != 3 {
				t.Errorf("bin: %+v", got.Bin)
			}
			if got.Media["jellyfin"] != (mediaAppJSON{URL: ok.URL, Credential: ok.Credential}) {
				t.Errorf("media: %+v", got.Media)
			}
		})
	}
}

// Exporters and agenix's unit mode are units of a systemd host's system; a lightweight host
// refuses them before anything is built (agenix's activation mode it runs: TestRotateResticLocalFleet).
func TestSetVariantSystemdOnly(t *testing.T) {
	bin := t.TempDir()
	for _, p := range ExporterPrograms() {
		if err := os.WriteFile(filepath.Join(bin, p), []byte(p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	f := &Fleet{dir: t.TempDir(), st: state{Hosts: []Host{{Name: "razer"}}}}
	for _, tc := range []struct {
		v    Variant
		want string
	}{
		{Variant{Exporters: &Exporters{Bin: bin}}, "localfleet razer: exporters run as units: a systemd host only"},
		{Variant{Agenix: &Agenix{Mode: AgenixUnit}}, "localfleet razer: agenix mode unit: a systemd host only (lightweight hosts: activation)"},
	} {
		if err := f.SetVariant("razer", tc.v); err == nil || err.Error() != tc.want {
			t.Errorf("SetVariant(%+v): %v, want %q", tc.v, err, tc.want)
		}
	}
}
