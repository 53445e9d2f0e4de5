package secscan

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/features"
	"github.com/nixos-hub/hub/internal/nix"
)

func plant(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// scanLines runs Scan and returns its findings with each one's line as Write prints it.
func scanLines(t *testing.T, o Options) ([]Finding, []string) {
	t.Helper()
	fs, err := Scan(o)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, f := range fs {
		lines = append(lines, f.String())
	}
	return fs, lines
}

func git(t *testing.T, root string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", root, "-c", "user.name=t", "-c", "user.email=t@example.invalid"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// A repository with one planted finding of every rule, a file git does not track (never
// scanned) and an allowed fixture: each finding is reported once, at its file and line.
func TestScanPlantedFindings(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	root := t.TempDir()
	// Built from parts, so that this test file is not itself a committed secret.
	ageKey := "AGE-SECRET-KEY-1" + strings.Repeat("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 2)[:58]
	ghToken := "ghp_" + strings.Repeat("a1B2", 9)
	pemHeader := "-----BEGIN OPENSSH " + "PRIVATE KEY-----"
	plant(t, root, map[string]string{
		"hosts/p620/notes.txt":    "deploy key:\n" + pemHeader + "\nb3BlbnNzaC1rZXktdjEAAAAA\n",
		"pkg/x/config.go":         "package x\n\nconst token = \"" + ghToken + "\"\n",
		"pkg/x/fixture_test.go":   "package x\n\nconst id = \"" + ageKey + "\"\n",
		"untracked.txt":           ageKey + "\n",
		"secrets/secrets.nix":     "{ }\n",
		"secrets/db.age":          "password=hunter2\n",
		"secrets/db-password.txt": "hunter2\n",
		"secrets/ok.age":          "age-encryption.org/v1\n-> X25519 abc\n",
		"secrets/armored.age":     "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n",
		"secrets/scan-allow.toml": "[[allow]]\nrule = \"secret-in-clear\"\nfile = \"pkg/x/fixture_test.go\"\nreason = \"a test identity\"\n",
		"modules/features.toml":   "[features.web]\ncategory = \"core\"\nmodule = \"web.nix\"\ndescription = \"a web server\"\nclasses = [\"server\"]\n",
		"modules/web.nix": `{ config, lib, ... }:
let cfg = config.hub.features.web; in
{
  options.hub.features.web.port = lib.mkOption { type = lib.types.port; default = 8080; };
  config = lib.mkIf cfg.enable {
    nixpkgs.config.permittedInsecurePackages = [ "openssl-1.1.1w" ];
    nixpkgs.config.allowUnfree = true;
    hub.allowUnfree = [
      "unrar" # for the archives
      "plexmediaserver"
    ];
    age.secrets.web-key = { file = ../secrets/ok.age; mode = "0444"; };
    age.secrets.web-cert = { file = ../secrets/ok.age; mode = "0440"; };
    networking.firewall.allowedTCPPorts = [ 443 cfg.port ];
    # networking.firewall.allowedUDPPorts = [ 53 ];  (a comment: not open)
  };
}
`,
	})
	git(t, root, "init", "-q")
	git(t, root, "add", ".")
	git(t, root, "rm", "-q", "--cached", "untracked.txt")
	git(t, root, "commit", "-qm", "planted")

	files, err := TrackedFiles(t.Context(), (&command.Executor{}).Local(), root)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := features.Load(filepath.Join(root, "modules", "features.toml"))
	if err != nil {
		t.Fatal(err)
	}
	fs, got := scanLines(t, Options{Root: root, Files: files, Registry: reg, Hosts: []features.Host{{Name: "web1", Class: "server", Features: []string{"web"}}}})
	want := []string{
		"high secret-in-clear hosts/p620/notes.txt:2: a private key in clear: rotate it, then keep it only as an age file (secrets:new)",
		"warn insecure-package modules/web.nix:6: permittedInsecurePackages [ \"openssl-1.1.1w\" ]: each is a package nixpkgs marks insecure; say why in a comment and drop it when fixed upstream",
		"warn unfree-package modules/web.nix:7: allowUnfree = true allows every unfree package: list them in hub.allowUnfree instead",
		"info unfree-package modules/web.nix:8: unfree package unrar allowed",
		"info unfree-package modules/web.nix:8: unfree package plexmediaserver allowed",
		"warn world-readable-secret modules/web.nix:12: a secret installed with mode 0444 is readable by every user: use 0400 (or 0440 with a group)",
		"high secret-in-clear pkg/x/config.go:3: a GitHub token in clear: rotate it, then keep it only as an age file (secrets:new)",
		"high secret-in-clear pkg/x/fixture_test.go:3: an age identity in clear: rotate it, then keep it only as an age file (secrets:new) (allowed: a test identity)",
		"high unencrypted-secret secrets/db-password.txt: secrets/ holds age files only: encrypt it (secrets:new db-password.txt.age) and remove the clear copy from the history",
		"high unencrypted-secret secrets/db.age: named .age but not age-encrypted (no age header): encrypt it with go tool mage secrets:edit db.age, and treat its content as leaked",
		"info open-port host web1 modules/web.nix:14: feature web opens TCP 443 on every interface",
		"info open-port host web1 modules/web.nix:14: feature web opens TCP 8080 (the module's default port) on every interface",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\n\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := len(Failing(fs, high)); n != 4 {
		t.Errorf("failing at high: %d, want 4 (the allowed one kept)", n)
	}
	if n := len(Failing(fs, Warn)); n != 7 {
		t.Errorf("failing at warn: %d, want 7", n)
	}
	var b bytes.Buffer
	Write(&b, fs, "modules")
	if !strings.HasSuffix(b.String(), "12 findings: 4 high, 3 warn, 4 info; 1 allowed by secrets/scan-allow.toml; open ports from modules\n") ||
		!strings.HasPrefix(b.String(), "high ") {
		t.Errorf("output:\n%s", b.String())
	}
}

func TestAllowFileErrors(t *testing.T) {
	for content, want := range map[string]string{
		"[[allow]]\nrule = \"nope\"\nfile = \"x\"\nreason = \"r\"\n":                `secrets/scan-allow.toml: allow entry 1: rule "nope" is not one of secret-in-clear, unencrypted-secret, insecure-package, unfree-package, world-readable-secret, open-port`,
		"[[allow]]\nrule = \"open-port\"\nhost = \"p620\"\n":                        "secrets/scan-allow.toml: allow entry 1 (rule open-port, p620): give the reason",
		"[[allow]]\nrule = \"open-port\"\nreason = \"r\"\n":                         "secrets/scan-allow.toml: allow entry 1 (rule open-port): give the file or the host it applies to",
		"[[allow]]\nrule = \"open-port\"\nhost = \"p620\"\nreason = \"r\"\nx = 1\n": "secrets/scan-allow.toml:5: allow.x: unknown key",
	} {
		root := t.TempDir()
		plant(t, root, map[string]string{allowFile: content})
		if _, err := Scan(Options{Root: root}); err == nil || err.Error() != want {
			t.Errorf("allow file %q: %v, want %s", content, err, want)
		}
	}
}

// The evaluated path: one nix eval over nixosConfigurations, read from the attributes
// networking.firewall has in NixOS (here a builtins-only flake standing in for nixpkgs).
func TestEvalFirewall(t *testing.T) {
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not installed")
	}
	root := t.TempDir()
	plant(t, root, map[string]string{"flake.nix": `{
  outputs = { self }: {
    nixosConfigurations.web1.config.networking.firewall = {
      enable = true; allowedTCPPorts = [ 22 443 ]; allowedUDPPorts = [ ];
      allowedTCPPortRanges = [ { from = 60000; to = 60010; } ]; allowedUDPPortRanges = [ ];
      interfaces.tailscale0 = { allowedTCPPorts = [ 9100 ]; allowedUDPPorts = [ 41641 ]; allowedTCPPortRanges = [ ]; allowedUDPPortRanges = [ ]; };
    };
    nixosConfigurations.open.config.networking.firewall.enable = false;
  };
}
`})
	fw, err := EvalFirewall(t.Context(), nix.On((&command.Executor{}).Local(), nix.Local()), "path:"+root, []string{"web1", "open"})
	if err != nil {
		t.Fatal(err)
	}
	_, got := scanLines(t, Options{Root: root, Firewall: fw})
	want := []string{
		"warn open-port host open: the firewall is off: every listening port is open",
		"info open-port host web1: TCP 22 open on every interface",
		"info open-port host web1: TCP 443 open on every interface",
		"info open-port host web1: TCP 60000-60010 open on every interface",
		"info open-port host web1: TCP 9100 open on interface tailscale0",
		"info open-port host web1: UDP 41641 open on interface tailscale0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		j, _ := json.Marshal(fw)
		t.Errorf("findings:\n%s\nwant:\n%s\n(firewalls %s)", strings.Join(got, "\n"), strings.Join(want, "\n"), j)
	}
}
