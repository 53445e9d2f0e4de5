package media

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		toml    string
		want    []string // app/name/url/credential of each instance
		wantErr string
	}{
		{name: "every app, two sonarrs", toml: `
[[jellyfin]]
name = "main"
url = "http://127.0.0.1:8096/"
token_file = "/run/agenix/jellyfin-token"
[[plex]]
name = "main"
url = "http://127.0.0.1:32400"
token_file = "/run/agenix/plex-token"
[[tautulli]]
name = "main"
url = "http://127.0.0.1:8181/tautulli"
api_key_file = "/run/agenix/tautulli-key"
[[sonarr]]
name = "tv"
url = "http://127.0.0.1:8989"
api_key_file = "/run/agenix/sonarr-key"
[[sonarr]]
name = "anime"
url = "https://sonarr.example/anime/"
api_key_file = "/run/agenix/sonarr-anime-key"
[[radarr]]
name = "main"
url = "http://127.0.0.1:7878"
api_key_file = "/run/agenix/radarr-key"
[[lidarr]]
name = "main"
url = "http://127.0.0.1:8686"
api_key_file = "/run/agenix/lidarr-key"
[[prowlarr]]
name = "main"
url = "http://127.0.0.1:9696"
api_key_file = "/run/agenix/prowlarr-key"
`, want: []string{
			"jellyfin/main/http://127.0.0.1:8096//run/agenix/jellyfin-token",
			"plex/main/http://127.0.0.1:32400//run/agenix/plex-token",
			"tautulli/main/http://127.0.0.1:8181/tautulli//run/agenix/tautulli-key",
			"sonarr/tv/http://127.0.0.1:8989//run/agenix/sonarr-key",
			"sonarr/anime/https://sonarr.example/anime//run/agenix/sonarr-anime-key",
			"radarr/main/http://127.0.0.1:7878//run/agenix/radarr-key",
			"lidarr/main/http://127.0.0.1:8686//run/agenix/lidarr-key",
			"prowlarr/main/http://127.0.0.1:9696//run/agenix/prowlarr-key",
		}},
		{name: "empty", toml: ``, wantErr: "no instances configured"},
		{name: "unknown table", toml: "[[sonar]]\nname = \"x\"", wantErr: "unknown keys: sonar"},
		{name: "misspelt key", toml: "[[radarr]]\nname = \"m\"\nurl = \"http://h\"\napi_keyfile = \"/k\"", wantErr: "unknown keys: radarr.api_keyfile"},
		{name: "token_file on an arr", toml: "[[radarr]]\nname = \"m\"\nurl = \"http://h\"\ntoken_file = \"/k\"", wantErr: "radarr uses api_key_file"},
		{name: "api_key_file on plex", toml: "[[plex]]\nname = \"m\"\nurl = \"http://h\"\napi_key_file = \"/k\"", wantErr: "plex uses token_file"},
		{name: "no credential", toml: "[[lidarr]]\nname = \"m\"\nurl = \"http://h\"", wantErr: "api_key_file is required"},
		{name: "duplicate name", toml: "[[lidarr]]\nname = \"m\"\nurl = \"http://h\"\napi_key_file = \"/k\"\n[[lidarr]]\nname = \"m\"\nurl = \"http://i\"\napi_key_file = \"/k\"", wantErr: `duplicate name "m"`},
		{name: "same name, different apps", toml: "[[lidarr]]\nname = \"m\"\nurl = \"http://h\"\napi_key_file = \"/k\"\n[[radarr]]\nname = \"m\"\nurl = \"http://i\"\napi_key_file = \"/k\"",
			want: []string{"radarr/m/http://i//k", "lidarr/m/http://h//k"}},
		{name: "bad name", toml: "[[sonarr]]\nname = \"Main Server\"\nurl = \"http://h\"\napi_key_file = \"/k\"", wantErr: `name "Main Server"`},
		{name: "relative url", toml: "[[sonarr]]\nname = \"m\"\nurl = \"127.0.0.1:8989\"\napi_key_file = \"/k\"", wantErr: "want an absolute http:// or https:// URL"},
		{name: "credentials in url", toml: "[[sonarr]]\nname = \"m\"\nurl = \"http://u:p@h\"\napi_key_file = \"/k\"", wantErr: "must not carry user info"},
		{name: "key in query", toml: "[[tautulli]]\nname = \"m\"\nurl = \"http://h?apikey=x\"\napi_key_file = \"/k\"", wantErr: "must not carry user info, a query"},
		{name: "syntax error", toml: "[[sonarr]\n", wantErr: "toml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfig(strings.NewReader(tc.toml))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, i := range cfg.Instances {
				got = append(got, string(i.App)+"/"+i.Name+"/"+i.URL.String()+"/"+i.CredentialFile)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("instances:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestNum(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{`12`, 12, false}, {`"12"`, 12, false}, {`" 7.5 "`, 7.5, false}, {`""`, 0, false}, {`null`, 0, false},
		{`true`, 1, false}, {`false`, 0, false}, {`-3`, 0, false}, {`"NaN"`, 0, false}, {`"lots"`, 0, true}, {`[]`, 0, true},
	} {
		var n num
		err := n.UnmarshalJSON([]byte(tc.in))
		if (err != nil) != tc.wantErr || float64(n) != tc.want {
			t.Errorf("num(%s) = %v, %v; want %v, error %v", tc.in, n, err, tc.want, tc.wantErr)
		}
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{
		"downloadClientUnavailable": "download_client_unavailable", "Downloading": "downloading", "warning": "warning",
		"direct play": "direct_play", "": "unknown", "usenet": "usenet", "importPending": "import_pending",
	} {
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMountOf(t *testing.T) {
	disks := []arrDisk{{Path: "/", TotalSpace: 1}, {Path: "/mnt/media", TotalSpace: 2}, {Path: "/mnt/media2/", TotalSpace: 3}}
	for _, tc := range []struct {
		path string
		want num
	}{
		{"/mnt/media/tv", 2}, {"/mnt/media", 2}, {"/mnt/media2/x", 3}, {"/mnt/mediax", 1}, {"/srv", 1},
	} {
		got, ok := mountOf(tc.path, disks)
		if !ok || got.TotalSpace != tc.want {
			t.Errorf("mountOf(%q) = %v, %v; want size %v", tc.path, got, ok, tc.want)
		}
	}
	if _, ok := mountOf("/x", []arrDisk{{Path: "/mnt"}}); ok {
		t.Error("a path outside every mount matched one")
	}
}
