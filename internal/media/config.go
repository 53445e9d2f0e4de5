// Package media collects metrics from the media stack of the fleet: Jellyfin, Plex, Tautulli and
// the *arr applications (Sonarr, Radarr, Lidarr, Prowlarr). Every instance is a target with its own
// credentials read from a file, queried concurrently under a per-target timeout, and cached for a
// minimum interval so that however often Prometheus (or several of them) scrape, each server sees
// at most one request per endpoint per interval.
//
// Entry points: [LoadConfig] (or [ParseConfig]) reads the configuration and [NewCollectors] makes
// one collector per configured application for internal/exporter.
package media

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// App is one kind of server the exporter knows how to query.
type App string

// The supported applications; each is also the TOML table name and the collector name.
const (
	jellyfin App = "jellyfin"
	plex     App = "plex"
	tautulli App = "tautulli"
	sonarr   App = "sonarr"
	radarr   App = "radarr"
	lidarr   App = "lidarr"
	prowlarr App = "prowlarr"
)

// apps lists every supported application in a stable order.
var apps = []App{jellyfin, plex, tautulli, sonarr, radarr, lidarr, prowlarr}

// Instance is one server to scrape.
type Instance struct {
	App  App
	Name string
	URL  *url.URL
	// CredentialFile holds the API key or token; the file is read once at start-up.
	CredentialFile string
}

// Config is the parsed --media.config.file.
type Config struct {
	Instances []Instance
}

// rawInstance mirrors one [[app]] table. Both credential keys are decoded so that using the wrong
// one for an application is reported precisely rather than as a missing credential.
type rawInstance struct {
	Name       string `toml:"name"`
	URL        string `toml:"url"`
	TokenFile  string `toml:"token_file"`
	APIKeyFile string `toml:"api_key_file"`
}

type rawConfig struct {
	Jellyfin []rawInstance `toml:"jellyfin"`
	Plex     []rawInstance `toml:"plex"`
	Tautulli []rawInstance `toml:"tautulli"`
	Sonarr   []rawInstance `toml:"sonarr"`
	Radarr   []rawInstance `toml:"radarr"`
	Lidarr   []rawInstance `toml:"lidarr"`
	Prowlarr []rawInstance `toml:"prowlarr"`
}

func (r *rawConfig) byApp() map[App][]rawInstance {
	return map[App][]rawInstance{
		jellyfin: r.Jellyfin, plex: r.Plex, tautulli: r.Tautulli,
		sonarr: r.Sonarr, radarr: r.Radarr, lidarr: r.Lidarr, prowlarr: r.Prowlarr,
	}
}

// instanceName keeps the name label short and predictable: it ends up in every series.
var instanceName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,62}$`)

// LoadConfig reads and validates the TOML file at path.
func LoadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("media config: %w", err)
	}
	defer f.Close()
	cfg, err := ParseConfig(f)
	if err != nil {
		return nil, fmt.Errorf("media config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig decodes and validates a configuration. Unknown keys are errors: a misspelt
// api_key_file would otherwise silently produce an unauthenticated target.
func ParseConfig(r io.Reader) (*Config, error) {
	var raw rawConfig
	md, err := toml.NewDecoder(r).Decode(&raw)
	if err != nil {
		return nil, err
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		keys := make([]string, len(undecoded))
		for i, k := range undecoded {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("unknown keys: %s (known tables: %s; keys: name, url, token_file or api_key_file)",
			strings.Join(keys, ", "), appList())
	}
	var cfg Config
	var errs []error
	byApp := raw.byApp()
	for _, app := range apps {
		seen := map[string]bool{}
		for i, ri := range byApp[app] {
			inst, err := ri.validate(app)
			if err != nil {
				errs = append(errs, fmt.Errorf("[[%s]] #%d: %w", app, i+1, err))
				continue
			}
			if seen[inst.Name] {
				errs = append(errs, fmt.Errorf("[[%s]] #%d: duplicate name %q", app, i+1, inst.Name))
				continue
			}
			seen[inst.Name] = true
			cfg.Instances = append(cfg.Instances, inst)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(cfg.Instances) == 0 {
		return nil, fmt.Errorf("no instances configured (add at least one of the tables %s)", appList())
	}
	return &cfg, nil
}

func appList() string {
	names := make([]string, len(apps))
	for i, a := range apps {
		names[i] = "[[" + string(a) + "]]"
	}
	return strings.Join(names, " ")
}

func (ri rawInstance) validate(app App) (Instance, error) {
	if !instanceName.MatchString(ri.Name) {
		return Instance{}, fmt.Errorf("name %q: want 1-63 characters of a-z, 0-9, '_', '.', '-', starting with a letter or digit", ri.Name)
	}
	u, err := url.Parse(ri.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Instance{}, fmt.Errorf("%s: url %q: want an absolute http:// or https:// URL", ri.Name, ri.URL)
	}
	// Credentials in the URL would be logged with it and end up in the Nix store; only files.
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return Instance{}, fmt.Errorf("%s: url must not carry user info, a query or a fragment: credentials belong in %s", ri.Name, app.credentialField())
	}
	want, other := ri.APIKeyFile, ri.TokenFile
	if app.credentialField() == "token_file" {
		want, other = ri.TokenFile, ri.APIKeyFile
	}
	if other != "" {
		return Instance{}, fmt.Errorf("%s: %s uses %s, not the other credential key", ri.Name, app, app.credentialField())
	}
	if want == "" {
		return Instance{}, fmt.Errorf("%s: %s is required", ri.Name, app.credentialField())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return Instance{App: app, Name: ri.Name, URL: u, CredentialFile: want}, nil
}

// count returns how many instances of app are configured.
func (c *Config) count(app App) int {
	return len(slices.DeleteFunc(slices.Clone(c.Instances), func(i Instance) bool { return i.App != app }))
}
