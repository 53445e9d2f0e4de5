package mdlinks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Nix settings: carried by every call, never taken from the machine": "nix-settings-carried-by-every-call-never-taken-from-the-machine",
		"`deploy:hosts` and [links](x.md)":                                  "deployhosts-and-links",
		"Alert delivery (Alertmanager)":                                     "alert-delivery-alertmanager",
		"snake_case and Ünïcode":                                            "snake_case-and-ünïcode",
	} {
		if got := slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

// A tree with every kind of link, good and broken: only the broken ones are reported, at
// their lines, with what is missing.
func TestCheck(t *testing.T) {
	root := t.TempDir()
	for name, src := range map[string]string{
		"README.md": "# Hub\n\nSee [deploy](docs/deploy.md), [health](docs/deploy.md#health-checks), [dir](docs/),\n" +
			"[the code](pkg/x.go#L3), [external](https://example.invalid/a) and [self](#hub).\n" +
			"[gone](docs/gone.md) [bad anchor](docs/deploy.md#health-check) `[in code](nowhere.md)`\n" +
			"```\n[in a fence](nowhere.md)\n```\n[ref]: docs/missing.md\n",
		"docs/deploy.md":         "# Deploy\n\n## Health checks\n\n## Health checks\n\n<a name=\"custom\"></a>\n[up](../README.md#hub) [dup](#health-checks-1) [custom](#custom) [out](../../etc/passwd)\n",
		"pkg/x.go":               "package x\n",
		"pkg/testdata/broken.md": "[x](nowhere.md)\n",
	} {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range r.Broken {
		got = append(got, b.String())
	}
	want := []string{
		"README.md:5: docs/gone.md: no such file or directory docs/gone.md",
		"README.md:5: docs/deploy.md#health-check: docs/deploy.md has no heading with anchor #health-check (did you mean #health-checks?)",
		"README.md:9: docs/missing.md: no such file or directory docs/missing.md",
		"docs/deploy.md:8: ../../etc/passwd: leaves the repository",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("broken:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Files != 2 || r.External != 1 || r.Links != 13 {
		t.Errorf("files %d links %d external %d", r.Files, r.Links, r.External)
	}
	if err := r.Err(); err == nil || !strings.HasPrefix(err.Error(), "4 broken Markdown link(s), first README.md:5: docs/gone.md") {
		t.Errorf("Err = %v", err)
	}
}
