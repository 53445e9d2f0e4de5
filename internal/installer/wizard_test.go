package installer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// testLayout is a layout.env as internal/installer/layout.nix writes it, for the wizard's own tests;
// extra lines override (the wizard sources the file, so a later assignment wins).
func testLayout(host, flake string, espMiB, swapMiB int, extra ...string) string {
	s := fmt.Sprintf("ESP_FS='vfat'\nESP_LABEL='boot'\nESP_MIB='%d'\nESP_OPTIONS='fmask=0077,dmask=0077'\nFLAKE='%s'\nHOST='%s'\nHOST_KEY_PUB=''\n"+
		"ROOT_FS='ext4'\nROOT_LABEL='nixos'\nROOT_OPTIONS='defaults'\nSWAP_LABEL='swap'\nSWAP_MIB='%d'\n", espMiB, flake, host, swapMiB)
	for _, e := range extra {
		s += e + "\n"
	}
	return s
}

// runWizard runs wizard.sh with the layout text and env, feeding it stdin; dry run unless env
// says otherwise.
func runWizard(t *testing.T, layout, stdin string, env []string, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	file := filepath.Join(t.TempDir(), "layout.env")
	if err := os.WriteFile(file, []byte(layout), 0o644); err != nil {
		t.Fatal(err)
	}
	wizard, err := filepath.Abs("wizard.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "bash", append([]string{wizard}, args...)...)
	cmd.Env = append(append(os.Environ(), "HUB_INSTALL_LAYOUT="+file, "HUB_INSTALL_DRY_RUN=1"), env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// hostKey writes a new ssh key of the given type (and passphrase) and returns its path and
// public key ("type base64").
func hostKey(t *testing.T, typ, passphrase string) (string, string) {
	t.Helper()
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen not installed")
	}
	path := filepath.Join(t.TempDir(), "ssh_host_"+typ+"_key")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", typ, "-N", passphrase, "-C", "test", "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	pub, err := os.ReadFile(path + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(pub))
	return path, f[0] + " " + f[1]
}

// The wizard's plan for each layout and disk kind, run with HUB_INSTALL_DRY_RUN so nothing is
// touched; unattended runs need no terminal.
func TestWizardDryRun(t *testing.T) {
	for _, tc := range []struct {
		name, layout string
		args         []string
		golden       string
		wantErr      string
	}{
		{"laptop nvme", testLayout("razer", "/nix/store/00000000000000000000000000000000-source", 1024, 16384),
			[]string{"--disk", "/dev/nvme0n1", "--yes", "--no-host-key"}, "wizard-razer-nvme.txt", ""},
		{"server without swap", testLayout("hp", "/nix/store/00000000000000000000000000000000-source", 512, 0),
			[]string{"--disk", "/dev/sda", "--yes", "--no-host-key"}, "wizard-hp-sda.txt", ""},
		{"unattended without disk", testLayout("hp", "/flake", 512, 0),
			[]string{"--yes", "--no-host-key"}, "", "hub-install: unattended mode needs --disk"},
		{"incomplete layout", "HOST=hp\nFLAKE=/etc/hub\nESP_MIB=512\nSWAP_MIB=0\nROOT_FS=ext4\n", []string{"--disk", "/dev/sda", "--yes"}, "", "does not set ESP_LABEL"},
		{"unsupported root file system", testLayout("hp", "/flake", 512, 0, "ROOT_FS='zfs'"),
			[]string{"--disk", "/dev/sda", "--yes", "--no-host-key"}, "", "cannot create a zfs file system"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runWizard(t, tc.layout, "", nil, tc.args...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(out, tc.wantErr) {
					t.Fatalf("err %v, output %s; want %q", err, out, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			golden(t, tc.golden, out)
		})
	}
}

// The host key: installed before nixos-install when given, and refused (before anything is
// erased) when it cannot decrypt the host's secrets or is missing from an unattended install.
func TestWizardHostKey(t *testing.T) {
	key, pub := hostKey(t, "ed25519", "")
	other, otherPub := hostKey(t, "ed25519", "")
	rsa, _ := hostKey(t, "rsa", "")
	locked, _ := hostKey(t, "ed25519", "secret")
	withPub := func(p string) string { return testLayout("p510", "/flake", 1024, 0, "HOST_KEY_PUB='"+p+" p510'") }
	const mnt = "/mnt/hub-test"
	install := []string{
		"+ mount -o fmask=0077,dmask=0077 /dev/sda1 " + mnt + "/boot",
		"== installing p510's ssh host key (" + pub + ")",
		"+ install -d -m 0755 " + mnt + "/etc/ssh",
		"+ install -m 0600 -o root -g root " + key + " " + mnt + "/etc/ssh/ssh_host_ed25519_key",
		"+ install -m 0644 -o root -g root /dev/stdin " + mnt + "/etc/ssh/ssh_host_ed25519_key.pub",
		"== installing /flake#p510",
		"+ nixos-install --root " + mnt + " --flake /flake#p510 --no-root-passwd --no-write-lock-file",
	}
	tests := []struct {
		name   string
		layout string
		stdin  string
		args   []string
		want   []string // lines of the output, in order
		err    string   // the wizard fails with this; nothing is erased
	}{
		{name: "the host's key", layout: withPub(pub), args: []string{"--disk", "/dev/sda", "--yes", "--host-key", key}, want: install},
		{name: "a key when secrets.nix names none", layout: testLayout("p510", "/flake", 1024, 0), args: []string{"--disk", "/dev/sda", "--yes", "--host-key", key}, want: install},
		{name: "from the environment", layout: withPub(pub), args: []string{"--disk", "/dev/sda", "--yes"}, want: install},
		{name: "another host's key", layout: withPub(otherPub), args: []string{"--disk", "/dev/sda", "--yes", "--host-key", key},
			err: "hub-install: " + key + " is not p510's host key: its public key is " + pub + ", but secrets/secrets.nix encrypts p510's secrets to " + otherPub + " p510."},
		{name: "an rsa key", layout: withPub(pub), args: []string{"--disk", "/dev/sda", "--yes", "--host-key", rsa},
			err: "is a ssh-rsa key; p510's secrets are decrypted with its ed25519 host key"},
		{name: "a passphrase", layout: withPub(pub), args: []string{"--disk", "/dev/sda", "--yes", "--host-key", locked},
			err: "is not an OpenSSH private key without a passphrase"},
		{name: "a missing file", layout: withPub(pub), args: []string{"--disk", "/dev/sda", "--yes", "--host-key", other + ".nope"},
			err: "hub-install: cannot read the host key " + other + ".nope"},
		{name: "unattended without a key", layout: withPub(pub), args: []string{"--disk", "/dev/sda", "--yes"},
			err: "hub-install: no host key for p510: its secrets are encrypted to " + pub + " p510 (secrets/secrets.nix)"},
		{name: "interactive without a key, declined", layout: withPub(pub), stdin: "n\n", args: []string{"--disk", "/dev/sda"},
			err: "hub-install: aborted, nothing was changed"},
		{name: "interactive without a key, accepted", layout: withPub(pub), stdin: "no key\nsda\n", args: []string{"--disk", "/dev/sda"},
			want: []string{"+ wipefs -a /dev/sda", "+ nixos-install --root " + mnt + " --flake /flake#p510 --no-root-passwd --no-write-lock-file"}},
		{name: "--no-host-key", layout: withPub(pub), args: []string{"--disk", "/dev/sda", "--yes", "--no-host-key"},
			want: []string{"hub-install: WARNING: installing p510 without its host key (--no-host-key): it generates a new one at first boot and cannot decrypt its secrets until they are rekeyed to it (secrets:hostKeys p510, then secrets:rekey -host=p510)",
				"+ wipefs -a /dev/sda", "+ nixos-install --root " + mnt + " --flake /flake#p510 --no-root-passwd --no-write-lock-file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := []string{"HUB_INSTALL_ROOT=" + mnt}
			if tt.name == "from the environment" {
				env = append(env, "HUB_INSTALL_HOST_KEY="+key)
			}
			out, err := runWizard(t, tt.layout, tt.stdin, env, tt.args...)
			if tt.err != "" {
				if err == nil || !strings.Contains(out, tt.err) {
					t.Fatalf("err %v, output:\n%s\nwant %q", err, out, tt.err)
				}
				if strings.Contains(out, "+ wipefs") {
					t.Errorf("refused, but only after erasing:\n%s", out)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v:\n%s", err, out)
			}
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w+"\n")
				if i < 0 {
					t.Fatalf("output lacks %q (in order) after:\n%s\nall:\n%s", w, rest, out)
				}
				rest = rest[i+len(w):]
			}
			if !strings.Contains(strings.Join(tt.want, "\n"), "etc/ssh/ssh_host_ed25519_key") && strings.Contains(out, "etc/ssh/ssh_host_ed25519_key") {
				t.Errorf("a key was installed:\n%s", out)
			}
		})
	}
}
