package features

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/durablefile/durabletest"
	"github.com/nixos-hub/hub/internal/inventory"
)

// scaffoldRoot builds a minimal checkout: the repository's registry, fleet.toml and p620 (the
// fleet's default build host, which the inventory requires to exist).
func scaffoldRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	copyFile := func(rel string) {
		data, err := os.ReadFile(filepath.Join(repoRoot, rel))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("modules/features.toml")
	copyFile("hosts/fleet.toml")
	copyFile("hosts/p620/host.toml")
	return root
}

func TestHostNew(t *testing.T) {
	hwFile := filepath.Join(t.TempDir(), "hw.nix")
	hw := "{ lib, ... }:\n{\n  fileSystems.\"/\" = { device = \"/dev/sda1\"; fsType = \"ext4\"; };\n}\n"
	if err := os.WriteFile(hwFile, []byte(hw), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		opts     NewHostOptions
		goldenHW string // golden file for hardware-configuration.nix; "" means it must equal hw
	}{
		{"without hardware file", NewHostOptions{Name: "nuc", Description: "Small lab box", Class: "server",
			Hardware: "intel-integrated", Features: []string{"tailscale", "k3s"}, Tags: []string{"lab"}}, "newhost-nuc-hardware.nix"},
		{"with hardware file", NewHostOptions{Name: "t14", Description: "Travel laptop", Class: "laptop",
			Hardware: "amd-gpu", Features: []string{"desktop", "starship"}, HardwareConfig: hwFile}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := scaffoldRoot(t)
			created, err := NewHost(context.Background(), root, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(root, "hosts", tt.opts.Name)
			want := []string{filepath.Join(dir, "host.toml"), filepath.Join(dir, "default.nix"), filepath.Join(dir, "hardware-configuration.nix")}
			if strings.Join(created, "\n") != strings.Join(want, "\n") {
				t.Fatalf("created %v, want %v", created, want)
			}
			read := func(name string) []byte {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			golden(t, "newhost-"+tt.opts.Name+".toml", read("host.toml"))
			golden(t, "newhost-"+tt.opts.Name+"-default.nix", read("default.nix"))
			if tt.goldenHW != "" {
				golden(t, tt.goldenHW, read("hardware-configuration.nix"))
			} else if string(read("hardware-configuration.nix")) != hw {
				t.Errorf("hardware-configuration.nix is not the given file")
			}

			// The scaffolded host.toml passes the inventory's strict decoding and resolves cleanly.
			fleet, err := inventory.Load(filepath.Join(root, "hosts"))
			if err != nil {
				t.Fatalf("inventory rejects the scaffolded host: %v", err)
			}
			h, ok := fleet.Host(tt.opts.Name)
			if !ok || h.Class != tt.opts.Class || h.Hardware != tt.opts.Hardware {
				t.Fatalf("inventory host = %+v", h)
			}
			if NixAvailable() {
				for _, f := range created[1:] {
					if err := parseNix(context.Background(), read(filepath.Base(f))); err != nil {
						t.Errorf("%s does not parse: %v", filepath.Base(f), err)
					}
				}
			}
		})
	}
}

func TestHostNewErrors(t *testing.T) {
	base := NewHostOptions{Name: "box", Description: "A box", Class: "server", Hardware: "intel-integrated"}
	with := func(f func(*NewHostOptions)) NewHostOptions { o := base; f(&o); return o }
	badHW := filepath.Join(t.TempDir(), "broken.nix")
	if err := os.WriteFile(badHW, []byte("{ fileSystems = ;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts NewHostOptions
		want string // exact error, or prefix when it ends in "…"
	}{
		{"bad name", with(func(o *NewHostOptions) { o.Name = "Box_1" }), `hosts:new: invalid host name "Box_1" (want [a-z0-9][a-z0-9-]*)`},
		{"no description", with(func(o *NewHostOptions) { o.Description = "" }), `hosts:new box: description is empty`},
		{"bad class", with(func(o *NewHostOptions) { o.Class = "desktop" }), `hosts:new box: unknown class "desktop" (want one of workstation, server, laptop)`},
		{"bad system", with(func(o *NewHostOptions) { o.System = "riscv64-linux" }), `hosts:new box: unknown system "riscv64-linux" (want x86_64-linux or aarch64-linux)`},
		{"bad hardware", with(func(o *NewHostOptions) { o.Hardware = "arm-mali" }), `hosts:new box: unknown hardware "arm-mali" (want one of amd-gpu, nvidia-gpu, intel-integrated)`},
		{"bad tag", with(func(o *NewHostOptions) { o.Tags = []string{"Lab"} }), `hosts:new box: invalid tag "Lab" (want [a-z0-9][a-z0-9-]*)`},
		{"feature errors", with(func(o *NewHostOptions) { o.Features = []string{"ghost", "desktop", "docker", "podman"} }),
			"hosts:new box: feature set rejected:\n" +
				`  host "box": unknown feature "ghost" in host.toml` + "\n" +
				`  host "box": feature "docker" conflicts with feature "podman"` + "\n" +
				`  host "box": feature "audio" does not suit class "server" (suits: workstation, laptop)` + "\n" +
				`  host "box": feature "desktop" does not suit class "server" (suits: workstation, laptop)`},
		{"missing hardware file", with(func(o *NewHostOptions) { o.HardwareConfig = "/nonexistent/hw.nix" }),
			`hosts:new box: hardware configuration: open /nonexistent/hw.nix: no such file or directory`},
	}
	if NixAvailable() {
		tests = append(tests, struct {
			name string
			opts NewHostOptions
			want string
		}{"unparsable hardware file", with(func(o *NewHostOptions) { o.HardwareConfig = badHW }),
			"hosts:new box: hardware configuration " + badHW + " does not parse: exit status 1: …"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := scaffoldRoot(t)
			_, err := NewHost(context.Background(), root, tt.opts)
			if err == nil {
				t.Fatal("no error")
			}
			if p, ok := strings.CutSuffix(tt.want, "…"); ok {
				if !strings.HasPrefix(err.Error(), p) {
					t.Fatalf("error = %q, want prefix %q", err, p)
				}
			} else if err.Error() != tt.want {
				t.Fatalf("error = %q\nwant    %q", err, tt.want)
			}
			if _, statErr := os.Stat(filepath.Join(root, "hosts", tt.opts.Name)); statErr == nil {
				t.Errorf("host directory written despite the error")
			}
		})
	}

	t.Run("existing host", func(t *testing.T) {
		root := scaffoldRoot(t)
		if err := os.MkdirAll(filepath.Join(root, "hosts", "box"), 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := NewHost(context.Background(), root, base)
		want := "hosts:new box: " + filepath.Join(root, "hosts", "box") + " already exists"
		if err == nil || err.Error() != want {
			t.Fatalf("error = %v, want %q", err, want)
		}
	})
}

// A scaffold cut short midway (the disk full after 64 bytes of a file) writes nothing: no host
// directory, no temp file, where files written in place would leave a truncated host.toml or
// default.nix behind and the name taken. The files then written have mode 0644.
func TestHostNewCutShortWritesNothing(t *testing.T) {
	if durabletest.InChild(t) {
		return // FailWritesPast's limit is the child's alone
	}
	root := scaffoldRoot(t)
	opts := NewHostOptions{Name: "box", Description: "A box", Class: "server", Hardware: "intel-integrated"}
	var err error
	durabletest.FailWritesPast(t, 64, func() { _, err = NewHost(context.Background(), root, opts) })
	if err == nil || !strings.HasPrefix(err.Error(), "hosts:new box: ") {
		t.Fatalf("NewHost cut short: %v", err)
	}
	hosts := filepath.Join(root, "hosts")
	if _, statErr := os.Stat(filepath.Join(hosts, "box")); statErr == nil {
		t.Errorf("hosts/box left behind by a scaffold cut short")
	}
	durabletest.NoTempFiles(t, hosts)

	created, err := NewHost(context.Background(), root, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range created {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want 0644", f, st.Mode().Perm())
		}
	}
	durabletest.NoTempFiles(t, filepath.Join(hosts, "box"))
}
