package hostdiff

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/features"
	"github.com/nixos-hub/hub/internal/goldenfile"
	"github.com/nixos-hub/hub/internal/localfleet"
	"github.com/nixos-hub/hub/internal/localfleet/fleettest"
	"github.com/nixos-hub/hub/internal/nix"
)

// planted has two hosts shaped like NixOS configurations (builtins only): different kernels,
// services, packages, users, a feature option, and a value that throws on one of them.
const planted = `{
  outputs = { self }: let
    pkg = name: derivation { inherit name; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; };
    host = { name, kernel, ssh, pkgs, extra ? { } }: { config = {
      networking.hostName = name;
      boot.kernelPackages.kernel.version = kernel;
      services.openssh.enable = ssh;
      services.jellyfin = { enable = name == "media"; openFirewall = true; };
      environment.systemPackages = map pkg pkgs;
      users.users = { admin.isNormalUser = true; nixbld1.isNormalUser = false; };
      hub.features.ollama = { enable = name == "ws"; port = 11434; models = [ "llama3" ]; };
      fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
      time.timeZone = if name == "media" then throw "no time zone" else "Europe/London";
    } // extra; };
  in {
    nixosConfigurations.ws = host { name = "ws"; kernel = "6.12.41"; ssh = true; pkgs = [ "git-2.50" "htop-3.4" ]; };
    nixosConfigurations.media = host { name = "media"; kernel = "6.6.100"; ssh = true; pkgs = [ "git-2.50" "jellyfin-10.10" ]; };
  };
}
`

func TestOptionsPlanted(t *testing.T) {
	if _, err := exec.LookPath("nix"); err != nil {
		t.Skip("nix not installed")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "flake.nix"), []byte(planted), 0o644); err != nil {
		t.Fatal(err)
	}
	diffs, err := options(t.Context(), nix.On((&command.Executor{}).Local(), nix.Local()), "path:"+dir, "ws", "media", []string{"services.jellyfin"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	Write(&b, "ws", "media", FeatureDiff{}, diffs, "")
	goldenfile.Check(t, filepath.Join("testdata", "planted.golden"), b.Bytes())
}

// repoFleet loads the repository's feature registry and hosts.
func repoFleet(t *testing.T) (*features.Registry, []features.Host) {
	t.Helper()
	reg, err := features.Load(filepath.Join("..", "..", "modules", "features.toml"))
	if err != nil {
		t.Fatal(err)
	}
	hosts, err := features.LoadHosts(filepath.Join("..", "..", "hosts"))
	if err != nil {
		t.Fatal(err)
	}
	return reg, hosts
}

func TestFeatures(t *testing.T) {
	reg, hosts := repoFleet(t)
	by := map[string]features.Host{}
	for _, h := range hosts {
		by[h.Name] = h
	}
	fd := diffFeatures(reg, by["p620"], by["p510"])
	var b bytes.Buffer
	Write(&b, "p620", "p510", fd, nil, "the flake has no lock")
	out := b.String()
	for _, want := range []string{"only p510: jellyfin (listed in host.toml", "only p620: ", "SKIPPED: the flake has no lock"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if same := diffFeatures(reg, by["p620"], by["p620"]); len(same.OnlyA)+len(same.OnlyB)+len(same.Fields) != 0 {
		t.Errorf("a host against itself: %+v", same)
	}
}

// The local fleet's configurations, as HUB_FLEET=local evaluates them: two hosts whose staged
// kernels differ show the variant's kernel and the host names.
func TestOptionsLocalFleet(t *testing.T) {
	lf := fleettest.Start(t, localfleet.Config{Hosts: []string{"p620", "razer"}})
	if _, err := lf.Stage("razer", func(v *localfleet.Variant) { v.Kernel = "6.12.99" }); err != nil {
		t.Fatal(err)
	}
	diffs, err := options(t.Context(), nix.On((&command.Executor{}).Local(), nix.Local()), lf.FlakeRef(), "p620", "razer", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Difference{}
	for _, d := range diffs {
		got[d.Path] = d
	}
	if d := got["localfleet.variant.kernel"]; d.B != `"6.12.99"` {
		t.Errorf("kernel: %+v (all: %+v)", d, diffs)
	}
	if d := got["networking.hostName"]; d.A != `"p620"` || d.B != `"razer"` {
		t.Errorf("hostName: %+v", d)
	}
}

// Diff refuses one host twice or a host the repository lacks, and a probe that says the inputs
// cannot be fetched leaves the option level out with its reason (no evaluation is attempted:
// the zero nix.Nix would fail one).
func TestDiffChecksAndSkips(t *testing.T) {
	reg, hosts := repoFleet(t)
	ctx := context.Background()
	for _, o := range []DiffOptions{{A: "p620", B: "p620"}, {A: "p620", B: "nosuch"}} {
		if _, err := Diff(ctx, nix.Nix{}, reg, hosts, o); err == nil {
			t.Errorf("Diff(%s, %s) compared", o.A, o.B)
		}
	}
	res, err := Diff(ctx, nix.Nix{}, reg, hosts, DiffOptions{A: "p620", B: "hp",
		Probe: func(context.Context) (string, error) { return "no flake.lock", nil }})
	if err != nil {
		t.Fatal(err)
	}
	if res.OptionsSkipped != "no flake.lock" || res.Options != nil || len(res.Features.OnlyA) == 0 {
		t.Errorf("result %+v: want the feature level only, skipped for the probe's reason", res)
	}
}
