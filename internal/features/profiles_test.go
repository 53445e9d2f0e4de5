package features

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeDoc(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "features.md")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProfilesAndUse(t *testing.T) {
	r, err := Load(registryFile("good"))
	if err != nil {
		t.Fatal(err)
	}
	doc := writeDoc(t, "# x\n\n"+ProfilesHeading+"\n\n| profile | class | hardware | features |\n|---|---|---|---|\n"+
		"| dev | workstation | amd-gpu | `k3d`, `prompt` |\n| bad | server | nvidia-gpu | `k3d` |\n\n## Next\n\n| a | b | c | d |\n")
	profiles, err := LoadProfiles(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(profiles) != 2 || profiles[0].Name != "profile dev" || strings.Join(profiles[0].Features, ",") != "k3d,prompt" {
		t.Fatalf("profiles = %+v", profiles)
	}
	var got []string
	for _, e := range r.CheckUsed([]Host{{Name: "box", Class: "server", Hardware: "nvidia-gpu", Features: []string{"plex"}}}, profiles, "features.md") {
		got = append(got, e.Error())
	}
	unused := func(n string) string {
		return `testdata/registries/good/features.toml: feature "` + n + `" is enabled by no host and no documented profile (list it in a host.toml or in the "Documented profiles" table of features.md)`
	}
	want := []string{
		`features.md: host "profile bad": feature "k3d" does not suit class "server" (suits: workstation, laptop)`,
		unused("bare"), unused("base-tools"), unused("intel-integrated"), unused("podman"),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("CheckUsed =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, bad := range []struct{ body, want string }{
		{ProfilesHeading + "\n| a | b |\n", "profile row has 2 cells, want 4"},
		{ProfilesHeading + "\n| a | server | amd-gpu | none |\n", `profile "a" lists no`},
	} {
		if _, err := LoadProfiles(writeDoc(t, bad.body)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("LoadProfiles(%q) error = %v, want %q", bad.body, err, bad.want)
		}
	}
}
