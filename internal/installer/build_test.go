package installer

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

// iso:build for real: the demo flake's builtins-only images, built by nix, rooted, listed,
// hashed and cleaned.
func TestBuildDemoInstallers(t *testing.T) {
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not installed")
	}
	flake, err := filepath.Abs("../../nix/installer-demo")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "installers")
	local := (&command.Executor{}).Local()
	for _, host := range []string{"p620", "dex5550"} {
		img, err := Build(t.Context(), local, BuildOptions{Flake: "path:" + flake, Host: host, System: "x86_64-linux", Dir: dir, Nix: nix.Local()})
		if err != nil {
			t.Fatal(err)
		}
		if img.Size != 4<<20+1024 || len(img.SHA256) != 64 || !strings.HasPrefix(img.Path, "/nix/store/") || !strings.HasSuffix(img.Path, ".iso") {
			t.Errorf("%s: image %+v", host, img)
		}
		head := make([]byte, 64)
		f, _ := os.Open(img.Path)
		f.Read(head)
		f.Close()
		if !bytes.HasPrefix(head, []byte("HUB-INSTALLER host="+host+" profile=")) {
			t.Errorf("%s: image header %q", host, head)
		}
	}
	if _, err := Build(t.Context(), local, BuildOptions{Flake: "path:" + flake, Host: "nosuch", System: "x86_64-linux", Dir: dir, Nix: nix.Local()}); err == nil ||
		!strings.Contains(err.Error(), "installer nosuch: nix build:") {
		t.Errorf("unknown host: %v", err)
	}
	imgs, err := List(t.Context(), dir)
	if err != nil || len(imgs) != 2 || imgs[0].Host != "dex5550" || imgs[1].Host != "p620" {
		t.Fatalf("List = %+v, %v", imgs, err)
	}
	var b bytes.Buffer
	if err := WriteList(&b, imgs); err != nil || !strings.Contains(b.String(), "p620     4.2 MB  9022268bcab03861") {
		t.Errorf("list table:\n%s", b.String())
	}
	removed, err := Clean(dir)
	if err != nil || strings.Join(removed, ",") != "dex5550,p620" {
		t.Errorf("Clean = %v, %v", removed, err)
	}
	if imgs, _ := List(t.Context(), dir); len(imgs) != 0 {
		t.Errorf("after Clean: %+v", imgs)
	}
}

// iso:build for the real fleet, dry: the command keeps the machine's binary caches and build
// settings (none of the local fleet's offline options) and nothing is built or rooted.
func TestBuildDryRunRealFleet(t *testing.T) {
	var cmds bytes.Buffer
	dir := filepath.Join(t.TempDir(), "installers")
	e := &command.Executor{DryRun: true, Out: &cmds}
	img, err := Build(t.Context(), e.Local(), BuildOptions{Flake: "path:/src/hub", Host: "p510", System: "x86_64-linux", Dir: dir, Nix: nix.Real()})
	if err != nil {
		t.Fatal(err)
	}
	want := "[dry-run] local: nix build --extra-experimental-features 'nix-command flakes' --json --out-link " + filepath.Join(dir, "p510") +
		" 'path:/src/hub#packages.x86_64-linux.installer-p510'\n"
	if cmds.String() != want || !img.DryRun || img.Host != "p510" {
		t.Errorf("dry run printed\n%s\nwant\n%s(image %+v)", cmds.String(), want, img)
	}
	if _, err := os.Lstat(filepath.Join(dir, "p510")); err == nil {
		t.Error("a dry run left a GC root")
	}
}

// Only the offline demo flake builds with the local fleet's settings; the real fleet's installers
// keep the machine's binary caches, sandbox and build users.
func TestSettings(t *testing.T) {
	t.Chdir("../..") // where the mage targets run
	for _, tc := range []struct {
		flake string
		want  string
	}{
		{"nix/installer-demo", "local"},
		{"path:nix/installer-demo", "local"},
		{".", "real"},
		{"github:owner/hub", "real"},
	} {
		if got := Settings(tc.flake, nix.Real()).Kind; got != tc.want {
			t.Errorf("Settings(%q) = %s, want %s", tc.flake, got, tc.want)
		}
	}
}
