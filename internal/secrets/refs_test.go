package secrets

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/features"
)

// repoRefsAndRules reads the repository's secret references and its secrets.nix.
func repoRefsAndRules(t *testing.T) ([]reference, *Rules) {
	t.Helper()
	refs, err := references(repoRoot, ReferenceDirs...)
	if err != nil {
		t.Fatal(err)
	}
	r, err := LoadRules(context.Background(), (&command.Executor{}).Local(), filepath.Join(repoRoot, "secrets", "secrets.nix"))
	if err != nil {
		t.Fatal(err)
	}
	return refs, r
}

const repoRoot = "../.."

// Every secret the repository's NixOS configuration uses (modules, nix helpers, hosts) is listed
// in secrets/secrets.nix and has its .age file: a module reading /run/agenix/<name> that nothing
// provisions fails only on the host, at activation or when its service starts.
func TestRepoSecretReferences(t *testing.T) {
	refs, r := repoRefsAndRules(t)
	for _, e := range r.checkReferences(refs) {
		t.Error(e)
	}
	// The scan sees the references it is there for; a regexp that silently stopped matching
	// would pass the check above with nothing checked.
	seen := map[string]bool{}
	for _, ref := range refs {
		seen[ref.File+" "+ref.Name] = true
	}
	for _, want := range []string{
		"modules/monitoring/grafana.nix grafana-secret-key",
		"modules/monitoring/grafana.nix grafana-admin",
		"modules/core/binary-cache.nix binary-cache-key",
		"modules/monitoring/media-exporter.nix sonarr-api-key",
		"modules/media/prowlarr.nix prowlarr-api-key",
		"hosts/p510/host.toml restic-password",
	} {
		if !seen[want] {
			t.Errorf("no reference found for %s", want)
		}
	}
}

// Every host that uses a secret can decrypt it: the secrets of a feature module are encrypted to
// each host that enables the feature, those of a host's own files to that host.
func TestRepoSecretRecipients(t *testing.T) {
	refs, r := repoRefsAndRules(t)
	// A file (or a host's directory) -> the hosts whose configuration reads it.
	users := map[string][]string{}
	for host, files := range repoConfigFiles(t) {
		for _, f := range files {
			users[strings.TrimSuffix(f, "/")] = append(users[strings.TrimSuffix(f, "/")], host)
		}
	}
	checked := 0
	for _, ref := range refs {
		using := users[ref.File]
		if parts := strings.SplitN(ref.File, "/", 3); parts[0] == "hosts" && len(parts) == 3 {
			using = users["hosts/"+parts[1]]
		}
		e, err := r.Entry(ref.Name + ".age")
		if err != nil {
			continue // TestRepoSecretReferences reports it
		}
		var can []string
		for _, rc := range e.Recipients {
			can = append(can, r.Label(rc))
		}
		for _, h := range using {
			checked++
			if !slices.Contains(can, h) {
				t.Errorf("%s: host %s uses secret %q, which is encrypted only to %s", ref, h, ref.Name, strings.Join(can, ", "))
			}
		}
	}
	if checked == 0 {
		t.Fatal("no secret use was matched to a host")
	}
}

// A testdata tree with one reference of each kind: the errors name file and line, and comments,
// option examples and interpolated names are not taken for uses.
func TestCheckReferencesFixture(t *testing.T) {
	root := filepath.Join("testdata", "refs")
	refs, err := references(root, append(ReferenceDirs, "absent")...)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ref := range refs {
		got = append(got, ref.String()+" "+ref.Name+" "+ref.Text)
	}
	want := []string{
		"hosts/h1/host.toml:4 restic-password /run/agenix/restic-password",
		"modules/monitoring/app.nix:7 known age.secrets.known",
		"modules/monitoring/app.nix:13 app-token /run/agenix/app-token",
		"modules/monitoring/app.nix:18 known age.secrets.known",
		"modules/monitoring/app.nix:18 known ../../secrets/known.age",
		`modules/monitoring/app.nix:19 app.toml age.secrets."app.toml"`,
		"modules/monitoring/app.nix:19 listed-only ../../secrets/listed-only.age",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("references:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	r, err := LoadRules(context.Background(), (&command.Executor{}).Local(), filepath.Join(root, "secrets", "secrets.nix"))
	if err != nil {
		t.Fatal(err)
	}
	var errs []string
	for _, e := range r.checkReferences(refs) {
		errs = append(errs, e.Error())
	}
	wantErrs := []string{
		`hosts/h1/host.toml:4: secret "restic-password" (/run/agenix/restic-password) is not declared in secrets/secrets.nix: add "restic-password.age" with its recipients, then create it (secrets:rotate or secrets:new)`,
		`modules/monitoring/app.nix:13: secret "app-token" (/run/agenix/app-token) is not declared in secrets/secrets.nix: add "app-token.age" with its recipients, then create it (secrets:rotate or secrets:new)`,
		`modules/monitoring/app.nix:19: secret "app.toml" (age.secrets."app.toml") is not declared in secrets/secrets.nix: add "app.toml.age" with its recipients, then create it (secrets:rotate or secrets:new)`,
		`modules/monitoring/app.nix:19: secret "listed-only" (../../secrets/listed-only.age) is declared in secrets/secrets.nix but listed-only.age does not exist: create it (secrets:rotate or secrets:new)`,
	}
	if strings.Join(errs, "\n") != strings.Join(wantErrs, "\n") {
		t.Errorf("errors:\n%s\nwant\n%s", strings.Join(errs, "\n"), strings.Join(wantErrs, "\n"))
	}
}

// A secret a module reads must be declared on each host whose configuration reads it: the
// fixture's app.nix reads /run/agenix/app-token and declares nothing for it (the planted bad
// case), while its config.age.secrets.known has its declaration beside it; host.toml's
// password_file is declared by the restic module, when the host enables it.
func TestCheckDeclarationsFixture(t *testing.T) {
	refs, err := references(filepath.Join("testdata", "refs"), ReferenceDirs...)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		files []string
		want  []string
	}{
		{"module and restic", []string{"modules/monitoring/app.nix", resticModule, "hosts/h1/"}, []string{
			`modules/monitoring/app.nix:13: host h1: secret "app-token" (/run/agenix/app-token) is used but not declared for it: declare age.secrets.app-token with file = ../../secrets/app-token.age in a module the host enables`,
		}},
		{"without restic", []string{"hosts/h1/"}, []string{
			`hosts/h1/host.toml:4: host h1: secret "restic-password" (/run/agenix/restic-password) is used but not declared for it: declare age.secrets.restic-password with file = ../../secrets/restic-password.age in a module the host enables`,
		}},
		{"nothing applies", []string{"modules/other.nix"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, e := range checkDeclarations(refs, map[string][]string{"h1": tc.files}) {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// Every secret the repository's modules and hosts read is declared on each host that reads it.
func TestRepoSecretDeclarations(t *testing.T) {
	refs, err := references(repoRoot, ReferenceDirs...)
	if err != nil {
		t.Fatal(err)
	}
	files := repoConfigFiles(t)
	for _, e := range checkDeclarations(refs, files) {
		t.Error(e)
	}
	if len(files) < 6 || !slices.Contains(files["p510"], resticModule) {
		t.Errorf("hosts' configuration files: %v (want the six hosts, p510 with %s)", files, resticModule)
	}
}

// repoConfigFiles is features.ConfigFiles of the repository's hosts.
func repoConfigFiles(t *testing.T) map[string][]string {
	t.Helper()
	reg, err := features.Load(features.RegistryPath(repoRoot))
	if err != nil {
		t.Fatal(err)
	}
	hosts, err := features.LoadHosts(features.HostsDir(repoRoot))
	if err != nil {
		t.Fatal(err)
	}
	return reg.ConfigFiles(hosts)
}

// The repository's configuration with one planted defect, a core module every host enables
// reading grafana-admin (listed, its file there) that only the Grafana module declares, fails
// CheckConfiguration (secrets:check and the secrets-check suite) for each host without Grafana.
func TestCheckConfigurationPlanted(t *testing.T) {
	root := t.TempDir()
	if out, err := exec.Command("cp", "-r", filepath.Join(repoRoot, "modules"), filepath.Join(repoRoot, "nix"),
		filepath.Join(repoRoot, "hosts"), filepath.Join(repoRoot, "secrets"), root).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	r, err := LoadRules(context.Background(), (&command.Executor{}).Local(), filepath.Join(root, "secrets", "secrets.nix"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.CheckConfiguration(root); err != nil {
		t.Fatalf("the copy before the defect: %v", err)
	}
	mod := filepath.Join(root, "modules", "core", "nix.nix")
	data, err := os.ReadFile(mod)
	if err != nil {
		t.Fatal(err)
	}
	planted := strings.Replace(string(data), "  config = lib.mkIf cfg.enable {\n", "  config = lib.mkIf cfg.enable {\n    environment.etc.\"grafana-pw\".source = \"/run/agenix/grafana-admin\";\n", 1)
	if planted == string(data) {
		t.Fatal("no place to plant the defect in modules/core/nix.nix")
	}
	if err := os.WriteFile(mod, []byte(planted), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = r.CheckConfiguration(root)
	if err == nil {
		t.Fatal("CheckConfiguration passed a module reading an undeclared secret")
	}
	lines := strings.Split(err.Error(), "\n")
	// Six hosts enable the core module; dex5550 alone enables Grafana.
	if lines[0] != "hosts read secrets their configuration does not declare:" || len(lines) != 1+5 {
		t.Fatalf("error: %v", err)
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, `modules/core/nix.nix:`) || !strings.Contains(l, `secret "grafana-admin" (/run/agenix/grafana-admin) is used but not declared for it`) {
			t.Errorf("error line %q", l)
		}
		if strings.Contains(l, "host dex5550:") {
			t.Errorf("dex5550 runs Grafana, whose module declares grafana-admin: %q", l)
		}
	}
}
