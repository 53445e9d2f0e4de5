package monitoring

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/nix"
)

// An exporter's port is written where each reader needs it: internal/monitoring's table (scrape
// targets, hub tools), modules/lib/exporter-services.nix (the NixOS modules' default listen ports), the
// exporters' own flag defaults and node-exporter.nix. They must be one number.
func TestExporterPortsAgree(t *testing.T) {
	ports := map[string]int{}
	for _, e := range Exporters() {
		ports[e.Job] = e.Port
	}
	t.Run("modules/lib/exporter-services.nix", func(t *testing.T) {
		if _, err := exec.LookPath("nix-instantiate"); err != nil {
			t.Skip("nix-instantiate not installed (Debian package nix-bin)")
		}
		file, err := filepath.Abs("../../modules/lib/exporter-services.nix")
		if err != nil {
			t.Fatal(err)
		}
		// ports needs no lib: the rest of the file is not forced.
		res, err := nix.On((&command.Executor{}).Local(), nix.Settings{}).Instantiate(t.Context(), nil,
			"--eval", "--strict", "--json", "-E", "(import "+file+" { lib = null; }).ports")
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]int
		if err := json.Unmarshal(res.Stdout, &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Errorf("exporter-services.nix has ports for %v, want nixos, media, baseline", got)
		}
		for job, port := range got {
			if ports[job] != port {
				t.Errorf("%s: exporter-services.nix says %d, internal/monitoring %d", job, port, ports[job])
			}
		}
	})
	defaultListen := regexp.MustCompile(`exporter\.NewApp\("[^"]*", "[^"]*", ":(\d+)"\)`)
	for _, job := range []string{"nixos", "media", "baseline"} {
		t.Run("exporters/"+job, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("../../exporters", job, "main.go"))
			if err != nil {
				t.Fatal(err)
			}
			m := defaultListen.FindSubmatch(src)
			if m == nil {
				t.Fatal("no exporter.NewApp(..., \":PORT\") call")
			}
			if p, _ := strconv.Atoi(string(m[1])); p != ports[job] {
				t.Errorf("the default listen port is %d, internal/monitoring says %d", p, ports[job])
			}
		})
	}
	t.Run("node-exporter.nix", func(t *testing.T) {
		src, err := os.ReadFile("../../modules/monitoring/node-exporter.nix")
		if err != nil {
			t.Fatal(err)
		}
		if m := regexp.MustCompile(`default = (\d+);`).FindSubmatch(src); m == nil || string(m[1]) != strconv.Itoa(portNode) {
			t.Errorf("node-exporter.nix's port default is %q, want %d", m, portNode)
		}
	})
}

// The media exporter is scraped where it is deployed: hosts with the media-exporter feature
// (modules/monitoring/media-exporter.nix), whatever their roles. It was scraped by the
// media-server role, so a media server without the feature was a target nothing listened on and
// a host with it but without the role went unscraped.
func TestMediaExporterScrapedWhereDeployed(t *testing.T) {
	var media Exporter
	for _, e := range Exporters() {
		if e.Job == "media" {
			media = e
		}
	}
	for _, tc := range []struct {
		name     string
		roles    []string
		features []string
		want     bool
	}{
		{"feature and role", []string{roleMediaServer}, []string{featureMediaExporter}, true},
		{"feature only", nil, []string{"plex", featureMediaExporter}, true},
		{"role only", []string{roleMediaServer}, []string{"plex"}, false},
		{"neither", nil, nil, false},
	} {
		h := &inventory.Host{Name: "h", Roles: tc.roles, Features: tc.features}
		if got := media.runsOn(h); got != tc.want {
			t.Errorf("%s: scraped %t, want %t", tc.name, got, tc.want)
		}
	}
}
