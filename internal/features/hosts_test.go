package features

import (
	"context"
	"slices"
	"testing"
)

func repoRegistry(t *testing.T) (*Registry, []Host) {
	t.Helper()
	r, err := Load(RegistryPath(repoRoot))
	if err != nil {
		t.Fatal(err)
	}
	hosts, err := LoadHosts(HostsDir(repoRoot))
	if err != nil {
		t.Fatal(err)
	}
	return r, hosts
}

// The six hosts of fleet.md resolve without errors and carry the features their roles need.
func TestHostsResolve(t *testing.T) {
	r, hosts := repoRegistry(t)
	var names []string
	for _, h := range hosts {
		names = append(names, h.Name)
	}
	// The six of fleet.md, and any host added since (hosts:new) beside them.
	for _, want := range []string{"dex5550", "hp", "p510", "p620", "razer", "samsung"} {
		if !slices.Contains(names, want) {
			t.Fatalf("hosts = %v: %s is missing", names, want)
		}
	}
	must := map[string][]string{
		"p620":    {"amd-gpu", "ollama", "k3d", "docker", "build-host", "binary-cache", "vscode", "nixos-exporter"},
		"p510":    {"nvidia-gpu", "plex", "jellyfin", "sonarr", "radarr", "lidarr", "prowlarr", "bazarr", "tautulli", "nzbget", "audiobookshelf", "media-exporter"},
		"razer":   {"nvidia-gpu", "secure-boot", "laptop-power", "networkmanager", "resolved"},
		"dex5550": {"intel-integrated", "prometheus", "grafana", "alertmanager", "loki"},
		"samsung": {"intel-integrated", "desktop", "laptop-power"},
		"hp":      {"intel-integrated", "k3s"},
	}
	for _, h := range hosts {
		t.Run(h.Name, func(t *testing.T) {
			res := r.Resolve(h)
			if len(res.Errors) > 0 {
				t.Fatalf("errors: %q", res.Errors)
			}
			for _, f := range must[h.Name] {
				if !slices.Contains(res.Enabled, f) {
					t.Errorf("feature %s is not enabled", f)
				}
			}
			if h.Name != "p510" && slices.Contains(res.Enabled, "media-exporter") {
				t.Errorf("media-exporter enabled on a host that is not the media server")
			}
		})
	}
	if err := Err(r.CheckHosts(hosts)); err != nil {
		t.Fatal(err)
	}
}

// Go and the real nix/features.nix agree on every host of the repository.
func TestHostsMatchNix(t *testing.T) {
	requireNix(t)
	r, hosts := repoRegistry(t)
	if err := Err(r.CompareWithNix(context.Background(), repoRoot, hosts)); err != nil {
		t.Fatal(err)
	}
}

func TestHostsShow(t *testing.T) {
	r, hosts := repoRegistry(t)
	info, err := r.Show("docker", hosts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.RequiredBy, []string{"k3d"}) || !slices.Equal(info.Conflicts, []string{"docker-rootless", "podman"}) ||
		!slices.Contains(info.Hosts, "p620") || slices.Contains(info.Hosts, "p510") {
		t.Errorf("Show(docker) = required by %v, conflicts %v, hosts %v", info.RequiredBy, info.Conflicts, info.Hosts)
	}
	info, err = r.Show("tautulli", hosts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.RequiresAll, []string{"media-base", "plex"}) {
		t.Errorf("Show(tautulli).RequiresAll = %v", info.RequiresAll)
	}
	if _, err := r.Show("ghost", hosts); err == nil || err.Error() != `feature "ghost" is not in ../../modules/features.toml` {
		t.Errorf("Show(ghost) error = %v", err)
	}
}
