package installer

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The wizard's plan for each layout and disk kind, run with HUB_INSTALL_DRY_RUN so nothing is
// touched; unattended runs need no terminal.
func TestWizardDryRun(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	for _, tc := range []struct {
		name, layout string
		args         []string
		golden       string
		wantErr      string
	}{
		{"laptop nvme", "HOST=razer\nFLAKE=github:example/hub\nESP_MIB=1024\nSWAP_MIB=16384\nROOT_FS=ext4\n",
			[]string{"--disk", "/dev/nvme0n1", "--yes"}, "wizard-razer-nvme.txt", ""},
		{"server without swap", "HOST=hp\nFLAKE=/etc/hub\nESP_MIB=512\nSWAP_MIB=0\nROOT_FS=ext4\n",
			[]string{"--disk", "/dev/sda", "--yes"}, "wizard-hp-sda.txt", ""},
		{"unattended without disk", "HOST=hp\nFLAKE=/etc/hub\nESP_MIB=512\nSWAP_MIB=0\nROOT_FS=ext4\n",
			[]string{"--yes"}, "", "hub-install: unattended mode needs --disk"},
		{"incomplete layout", "HOST=hp\nFLAKE=/etc/hub\n", []string{"--disk", "/dev/sda", "--yes"}, "", "does not set ESP_MIB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			layout := filepath.Join(t.TempDir(), "layout.env")
			os.WriteFile(layout, []byte(tc.layout), 0o644)
			cmd := exec.Command("bash", append([]string{"wizard.sh"}, tc.args...)...)
			cmd.Env = append(os.Environ(), "HUB_INSTALL_LAYOUT="+layout, "HUB_INSTALL_DRY_RUN=1")
			out, err := cmd.CombinedOutput()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(string(out), tc.wantErr) {
					t.Fatalf("err %v, output %s; want %q", err, out, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			golden(t, tc.golden, string(out))
		})
	}
}
