package rotation

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The *arr key writer of modules/lib/servarr-apikey.nix, evaluated with the real nix-instantiate
// and its script run with /bin/sh as the unit runs it (sh SCRIPT KEY_FILE ENV_FILE VAR): the one
// line each app reads, mode 0400, and a refusal of what is not an API key. What a systemd host
// adds (LoadCredential, the RuntimeDirectory, PartOf) is TestRotateServarrSystemdHost's.
func TestServarrKeyWriter(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("SKIPPED: nix-instantiate not installed")
	}
	lib, err := filepath.Abs("../../modules/lib/servarr-apikey.nix")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), "nix-instantiate", "--eval", "--strict", "--json", "-E",
		`let k = import `+lib+`; w = k.writer { app = "radarr"; keyFile = "/run/agenix/radarr-api-key"; sh = "/bin/sh"; scriptFile = "/s"; }; in
		{ inherit (k) script vars; envFile = k.envFile "sonarr"; execStart = w.serviceConfig.ExecStart;
		  credential = w.serviceConfig.LoadCredential; partOf = w.partOf; app = k.appUnit "radarr"; }`).Output()
	if err != nil {
		t.Fatalf("nix-instantiate: %v", err)
	}
	var k struct {
		Script, EnvFile, ExecStart string
		Vars                       map[string]string
		Credential, PartOf         []string
		App                        map[string][]string
	}
	if err := json.Unmarshal(out, &k); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	wantVars := map[string]string{"sonarr": "SONARR__AUTH__APIKEY", "radarr": "RADARR__AUTH__APIKEY", "lidarr": "LIDARR__AUTH__APIKEY", "prowlarr": "PROWLARR__AUTH__APIKEY"}
	for app, v := range wantVars {
		if k.Vars[app] != v {
			t.Errorf("vars.%s = %q, want %q", app, k.Vars[app], v)
		}
	}
	if len(k.Vars) != len(wantVars) {
		t.Errorf("vars %v, want the four *arr apps", k.Vars)
	}
	if k.EnvFile != "/run/sonarr-apikey/apikey.env" {
		t.Errorf("envFile sonarr = %q", k.EnvFile)
	}
	if want := "/bin/sh /s %d/apikey /run/radarr-apikey/apikey.env RADARR__AUTH__APIKEY"; k.ExecStart != want {
		t.Errorf("ExecStart = %q, want %q", k.ExecStart, want)
	}
	if len(k.Credential) != 1 || k.Credential[0] != "apikey:/run/agenix/radarr-api-key" {
		t.Errorf("LoadCredential = %q", k.Credential)
	}
	if len(k.PartOf) != 1 || k.PartOf[0] != "radarr.service" || len(k.App["requires"]) != 1 || k.App["requires"][0] != "radarr-apikey.service" || len(k.App["after"]) != 1 || k.App["after"][0] != "radarr-apikey.service" {
		t.Errorf("partOf %q, the app's unit %v: want the writer PartOf radarr.service, and radarr.service requiring and after it", k.PartOf, k.App)
	}

	dir := t.TempDir()
	script := filepath.Join(dir, "writer.sh")
	if err := os.WriteFile(script, []byte(k.Script), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, key, want, wantErr string
	}{
		{"hex key", "0123456789abcdef0123456789abcdef", "SONARR__AUTH__APIKEY=0123456789abcdef0123456789abcdef\n", ""},
		{"trailing newline", "0123456789abcdef\n", "SONARR__AUTH__APIKEY=0123456789abcdef\n", ""},
		{"empty", "", "", "not an API key"},
		{"a space", "0123 4567", "", "not an API key"},
		{"a quote", `abc"def`, "", "not an API key"},
		{"an expansion", "$HOME", "", "not an API key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := filepath.Join(t.TempDir(), "apikey")
			env := filepath.Join(t.TempDir(), "apikey.env")
			write(t, key, tc.key)
			out, err := exec.CommandContext(t.Context(), "/bin/sh", script, key, env, k.Vars["sonarr"]).CombinedOutput()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(string(out), key+": "+tc.wantErr) {
					t.Fatalf("exit %v, output %q: want a failure naming %s: %s", err, out, key, tc.wantErr)
				}
				if _, err := os.Stat(env); !os.IsNotExist(err) {
					t.Errorf("%s written for a refused key (%v)", env, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			got, err := os.ReadFile(env)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("%s holds %q, want %q", env, got, tc.want)
			}
			if fi, err := os.Stat(env); err != nil || fi.Mode().Perm() != 0o400 {
				t.Errorf("%s: mode %v (%v), want 0400", env, fi.Mode().Perm(), err)
			}
		})
	}
}
