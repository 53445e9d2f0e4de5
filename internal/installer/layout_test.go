package installer

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/nix"
)

// nixEval evaluates a Nix file or expression with nix-instantiate, read-only against the dummy
// store (nothing is built or copied; "${path}" is the store path it would have), into v.
func nixEval(t *testing.T, v any, args ...string) error {
	t.Helper()
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("needs nix-instantiate (Debian nix-bin)")
	}
	argv := append(append([]string{"nix-instantiate"}, nix.EvalArgs()...), "--eval", "--strict", "--json")
	local := (&command.Executor{}).Local()
	res, err := local.Run(t.Context(), command.Cmd{Args: append(argv, args...), Env: nix.Local().Env()})
	if err != nil {
		var xe *command.ExitError
		if errors.As(err, &xe) {
			return errors.New(strings.TrimSpace(xe.Stderr))
		}
		return err
	}
	if err := json.Unmarshal(res.Stdout, v); err != nil {
		t.Fatalf("nix-instantiate %q: %v: %s", args, err, res.Stdout)
	}
	return nil
}

// repoHosts lists the repository's hosts that have a hardware configuration.
func repoHosts(t *testing.T) (repo string, hosts []string) {
	t.Helper()
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	hw, _ := filepath.Glob(filepath.Join(repo, "hosts", "*", "hardware-configuration.nix"))
	for _, f := range hw {
		hosts = append(hosts, filepath.Base(filepath.Dir(f)))
	}
	sort.Strings(hosts)
	if len(hosts) == 0 {
		t.Fatal("no hosts/*/hardware-configuration.nix")
	}
	return repo, hosts
}

type hardwareFS struct {
	Device  string   `json:"device"`
	FsType  string   `json:"fsType"`
	Options []string `json:"options"`
}

type madeFS struct {
	Type, Label, Device, Options string
}

// wizardPlan reads a dry run's file systems: what each mkfs creates (type and label) on which
// device, and where each device is mounted relative to root (the new system's /).
func wizardPlan(t *testing.T, out, root string) map[string]madeFS {
	t.Helper()
	made := map[string]madeFS{} // by device
	mounted := map[string]madeFS{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[0] != "+" {
			continue
		}
		switch cmd := f[1]; {
		case strings.HasPrefix(cmd, "mkfs."):
			m := madeFS{Type: strings.TrimPrefix(cmd, "mkfs."), Device: f[len(f)-1]}
			if m.Type == "fat" {
				m.Type = "vfat"
			}
			for i := 2; i < len(f)-1; i++ {
				if f[i] == "-n" || f[i] == "-L" {
					m.Label = f[i+1]
				}
			}
			made[m.Device] = m
		case cmd == "mount":
			opts, dev, at := "", f[2], f[len(f)-1]
			if f[2] == "-o" {
				opts, dev = f[3], f[4]
			}
			m, ok := made[dev]
			if !ok {
				t.Fatalf("the wizard mounts %s, which it did not format:\n%s", dev, out)
			}
			m.Options = opts
			mp := strings.TrimPrefix(at, root)
			if mp == "" {
				mp = "/"
			}
			mounted[mp] = m
		}
	}
	return mounted
}

// What the wizard formats is what each host mounts: for every host's hardware-configuration.nix,
// the file systems the wizard creates with the layout the host's image carries (layout.nix, as
// nix/installer.nix calls it) have the labels its fileSystems."/" and ."/boot" are mounted by
// (/dev/disk/by-label/<label>, case-sensitive), their fsType, and /boot its mount options.
func TestWizardCreatesWhatEveryHostMounts(t *testing.T) {
	repo, hosts := repoHosts(t)
	for _, host := range hosts {
		t.Run(host, func(t *testing.T) {
			hwFile := filepath.Join("hosts", host, "hardware-configuration.nix")
			var hw map[string]hardwareFS
			if err := nixEval(t, &hw, "testdata/hardware.nix", "--arg", "repo", repo, "--argstr", "host", host); err != nil {
				t.Fatal(err)
			}
			var layout string
			if err := nixEval(t, &layout, "testdata/layout.nix", "--arg", "repo", repo, "--argstr", "host", host); err != nil {
				t.Fatal(err)
			}
			out, err := runWizard(t, layout, "", nil, "--disk", "/dev/nvme0n1", "--yes", "--no-host-key")
			if err != nil {
				t.Fatalf("%v:\n%s", err, out)
			}
			made := wizardPlan(t, out, "/mnt")
			for _, mp := range []string{"/", "/boot"} {
				want, ok := hw[mp]
				if !ok {
					t.Fatalf("%s has no fileSystems.%q", hwFile, mp)
				}
				label, ok := strings.CutPrefix(want.Device, "/dev/disk/by-label/")
				if !ok {
					t.Fatalf("%s: fileSystems.%q.device = %q, not by label", hwFile, mp, want.Device)
				}
				got := made[mp]
				if got.Label != label || got.Type != want.FsType {
					t.Errorf("%s mounts %s from %s (%s); the wizard creates %s %q on %s and mounts it there",
						hwFile, mp, want.Device, want.FsType, got.Type, got.Label, got.Device)
				}
				wantOpts := strings.Join(want.Options, ",")
				if wantOpts == "" {
					wantOpts = "defaults" // no options in fileSystems: mount(8)'s defaults
				}
				if mp == "/boot" && got.Options != wantOpts {
					t.Errorf("%s mounts /boot with %q; the wizard mounts it with %q", hwFile, want.Options, got.Options)
				}
			}
		})
	}
}

// The layout refuses a hardware file it cannot format to: the image build fails naming the
// file system instead of installing a host that cannot mount it.
func TestLayoutRefuses(t *testing.T) {
	boot := `"/boot" = { device = "/dev/disk/by-label/boot"; fsType = "vfat"; };`
	root := `"/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };`
	tests := []struct {
		name, fileSystems, want string
	}{
		{"by uuid", `"/" = { device = "/dev/disk/by-uuid/1234"; fsType = "ext4"; }; ` + boot,
			`fileSystems."/".device is /dev/disk/by-uuid/1234: the installer formats by label, so it must be /dev/disk/by-label/<label>`},
		{"no /boot", root, `hardware-configuration.nix has no fileSystems."/boot"`},
		{"zfs root", `"/" = { device = "/dev/disk/by-label/nixos"; fsType = "zfs"; }; ` + boot,
			`fileSystems."/".fsType is "zfs"; the installer creates ext4 or btrfs or xfs there`},
		{"ext4 esp", root + ` "/boot" = { device = "/dev/disk/by-label/boot"; fsType = "ext4"; };`,
			`fileSystems."/boot".fsType is "ext4"; the installer creates vfat there`},
		{"long fat label", root + ` "/boot" = { device = "/dev/disk/by-label/efi-system-part"; fsType = "vfat"; };`,
			`fileSystems."/boot" label "efi-system-part" is longer than 11 characters, the most vfat keeps`},
		{"label attribute", `"/" = { label = "root fs"; fsType = "ext4"; }; ` + boot,
			`fileSystems."/" label "root fs": use letters, digits`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expr := `(import ./layout.nix { hostName = "h"; host = { class = "server"; }; fileSystems = { ` + tt.fileSystems + ` }; flake = "/f"; }).env`
			var env string
			err := nixEval(t, &env, "-E", expr)
			if err == nil || !strings.Contains(err.Error(), "hub-install layout for h: "+tt.want) {
				t.Fatalf("err = %v\nwant %q", err, tt.want)
			}
		})
	}
}

// installerEval is testdata/installer.nix's answer: nix/installer.nix's structure for one host.
type installerEval struct {
	System              string          `json:"system"`
	Base                string          `json:"base"`
	FileSystems         json.RawMessage `json:"fileSystems"`
	SwapDevices         json.RawMessage `json:"swapDevices"`
	ImageBaseName       json.RawMessage `json:"imageBaseName"`
	IsoImage            json.RawMessage `json:"isoImage"`
	LayoutEnv           string          `json:"layoutEnv"`
	Source              string          `json:"source"`
	NixosConfigurations []string        `json:"nixosConfigurations"`
}

// copyTree copies the repository files nix/installer.nix and the flake's host list read, so
// "${root}" hashes a small tree, not a checkout with its .git and .hub.
func copyTree(t *testing.T, repo string) string {
	t.Helper()
	dst := t.TempDir()
	var files []string
	for _, g := range []string{"flake.nix", "nix/installer.nix", "internal/installer/layout.nix", "internal/installer/wizard.sh", "secrets/secrets.nix", "hosts/*/*"} {
		m, _ := filepath.Glob(filepath.Join(repo, g))
		files = append(files, m...)
	}
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.IsDir() {
			continue
		}
		rel, _ := filepath.Rel(repo, f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755)
		if err := os.WriteFile(filepath.Join(dst, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// layoutVars reads a layout.env the way the wizard does: bash sources it.
func layoutVars(t *testing.T, env string) map[string]string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "layout.env")
	os.WriteFile(file, []byte(env), 0o644)
	out, err := exec.Command("bash", "-c", `set -a; . "$1"; env -0`, "bash", file).Output()
	if err != nil {
		t.Fatalf("sourcing the layout: %v", err)
	}
	vars := map[string]string{}
	for _, kv := range strings.Split(string(out), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	return vars
}

// Every host's image installs the host's own configuration: the flake hub-install runs
// nixos-install on is the repository source the image was built from (a store path the image
// carries, not a URL fetched at install time), it defines nixosConfigurations.<host>, and
// the wizard installs exactly <that path>#<host>. And nix/installer.nix's module keeps the
// image's own file systems (config.lib.isoFileSystems, forced) while dropping the installed
// disk's and its swap, and names the image with image.baseName, not the renamed
// isoImage.isoName.
func TestInstallerImageInstallsTheHostsFlake(t *testing.T) {
	repo, hosts := repoHosts(t)
	root := copyTree(t, repo)
	for _, host := range hosts {
		t.Run(host, func(t *testing.T) {
			var got installerEval
			if err := nixEval(t, &got, "testdata/installer.nix", "--arg", "repo", root, "--argstr", "host", host); err != nil {
				t.Fatal(err)
			}
			vars := layoutVars(t, got.LayoutEnv)
			if !strings.HasPrefix(got.Source, "/nix/store/") || vars["FLAKE"] != got.Source {
				t.Errorf("FLAKE = %q, want the image's copy of the repository source %q", vars["FLAKE"], got.Source)
			}
			if vars["HOST"] != host || !containsString(got.NixosConfigurations, host) {
				t.Errorf("HOST = %q; the carried flake defines %v", vars["HOST"], got.NixosConfigurations)
			}
			out, err := runWizard(t, got.LayoutEnv, "", nil, "--disk", "/dev/sda", "--yes", "--no-host-key")
			if err != nil {
				t.Fatalf("%v:\n%s", err, out)
			}
			if want := "+ nixos-install --root /mnt --flake " + got.Source + "#" + host + " --no-root-passwd --no-write-lock-file\n"; !strings.Contains(out, want) {
				t.Errorf("the wizard does not run %q:\n%s", want, out)
			}

			if !strings.HasSuffix(got.Base, "/nixos/modules/installer/cd-dvd/installation-cd-minimal.nix") {
				t.Errorf("the image is based on %s", got.Base)
			}
			for _, c := range []struct {
				what string
				got  json.RawMessage
				want string
			}{
				{"fileSystems", got.FileSystems, `{"_type":"override","content":{"/iso":"the image's own mounts"},"priority":50}`},
				{"swapDevices", got.SwapDevices, `{"_type":"override","content":[],"priority":50}`},
				{"image.baseName", got.ImageBaseName, `{"_type":"override","content":"hub-installer-` + host + `-` + hardwareOf(t, root, host) + `","priority":50}`},
				{"isoImage", got.IsoImage, `null`},
			} {
				if string(c.got) != c.want {
					t.Errorf("%s = %s, want %s", c.what, c.got, c.want)
				}
			}
		})
	}
}

func hardwareOf(t *testing.T, root, host string) string {
	t.Helper()
	var hw string
	if err := nixEval(t, &hw, "-E", `(builtins.fromTOML (builtins.readFile `+filepath.Join(root, "hosts", host, "host.toml")+`)).hardware`); err != nil {
		t.Fatal(err)
	}
	return hw
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
