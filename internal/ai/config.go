package ai

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/tomlfile"
)

// DefaultConfigFile is where the hub keeps its AI configuration, beside fleet.toml.
const DefaultConfigFile = "hosts/ai.toml"

// Config is the AI configuration file: providers in fallback order, the total deadline of one
// question, and the price table.
type Config struct {
	File      string
	Deadline  time.Duration // a whole question: every provider, retry and wait
	Providers []ProviderConfig
	Prices    map[string]Price // by model name
}

// ProviderConfig is one [[provider]] entry. It holds where the key is, never the key.
type ProviderConfig struct {
	Name    string
	Kind    Kind
	Model   string
	URL     string // empty: the provider's public endpoint (Ollama: http://127.0.0.1:11434)
	KeyFile string // an agenix secret, e.g. /run/agenix/anthropic-api-key
	KeyEnv  string // read when KeyFile is empty or absent
	Settings
}

// Price is what a model costs, in US dollars per million tokens.
type Price struct {
	Input  float64 `toml:"input"`
	Output float64 `toml:"output"`
}

// cost is the price of usage u.
func (p Price) cost(u Usage) float64 {
	return (float64(u.InputTokens)*p.Input + float64(u.OutputTokens)*p.Output) / 1e6
}

// configError is one problem in the configuration file, located by line and field like the
// inventory's errors.
type configError = tomlfile.Error

type rawConfig struct {
	Deadline *duration        `toml:"deadline"`
	Provider []rawProvider    `toml:"provider"`
	Prices   map[string]Price `toml:"prices"`
}

type rawProvider struct {
	Name      string    `toml:"name"`
	Kind      string    `toml:"kind"`
	Model     string    `toml:"model"`
	URL       string    `toml:"url"`
	KeyFile   string    `toml:"key_file"`
	KeyEnv    string    `toml:"key_env"`
	Timeout   *duration `toml:"timeout"`
	Retries   *int      `toml:"retries"`
	Backoff   *duration `toml:"backoff"`
	MaxWait   *duration `toml:"max_wait"`
	MaxTokens *int      `toml:"max_tokens"`
}

type duration = tomlfile.Duration

var (
	nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	envRe  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// LoadConfig reads and validates file. Every problem is returned, joined, each on one line
// naming file, line and field.
func LoadConfig(file string) (*Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &configError{File: file, Msg: "no AI configuration: create it (docs/ai.md has an example)"}
		}
		return nil, &configError{File: file, Msg: err.Error()}
	}
	return parseConfig(file, data)
}

// parseConfig validates data as the contents of file.
func parseConfig(file string, data []byte) (*Config, error) {
	var rc rawConfig
	errs := tomlfile.Decode(file, data, &rc)
	if len(errs) > 0 && !unknownKeys(errs) {
		return nil, errs[0] // a syntax or type error: the one Decode returns
	}
	lines := strings.Split(string(data), "\n")
	fail := func(line int, field, format string, a ...any) {
		errs = append(errs, &configError{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, a...)})
	}
	c := &Config{File: file, Deadline: 5 * time.Minute, Prices: rc.Prices}
	if rc.Deadline != nil {
		c.Deadline = rc.Deadline.Duration
	}
	if len(rc.Provider) == 0 && len(errs) == 0 {
		fail(0, "provider", "no [[provider]]: add one (docs/ai.md)")
	}
	seen := map[string]bool{}
	for i, rp := range rc.Provider {
		at := func(key string) int { return providerLine(lines, i, key) }
		field := func(key string) string { return fmt.Sprintf("provider[%d].%s", i, key) }
		if rp.Name != "" {
			field = func(key string) string { return fmt.Sprintf("provider %s: %s", rp.Name, key) }
		}
		p := ProviderConfig{Name: rp.Name, Kind: Kind(rp.Kind), Model: rp.Model, URL: rp.URL, KeyFile: rp.KeyFile, KeyEnv: rp.KeyEnv,
			Settings: Settings{Timeout: 60 * time.Second, Retries: 2, Backoff: time.Second, MaxWait: 30 * time.Second, MaxTokens: 1024}}
		switch {
		case rp.Name == "":
			fail(at(""), field("name"), "missing")
		case !nameRe.MatchString(rp.Name):
			fail(at("name"), field("name"), "%q: use lower-case letters, digits and -", rp.Name)
		case seen[rp.Name]:
			fail(at("name"), field("name"), "%q is listed twice", rp.Name)
		}
		seen[rp.Name] = true
		if !slices.Contains(kinds, p.Kind) {
			fail(at("kind"), field("kind"), "%q: one of anthropic, openai, gemini, ollama", rp.Kind)
		}
		if rp.Model == "" {
			fail(at(""), field("model"), "missing")
		}
		if rp.URL != "" {
			if u, err := url.Parse(rp.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				fail(at("url"), field("url"), "%q is not an http(s) URL", rp.URL)
			} else if u.User != nil {
				fail(at("url"), field("url"), "credentials in the URL: put the key in key_file or key_env")
			}
		}
		if rp.KeyFile != "" && !filepath.IsAbs(rp.KeyFile) {
			fail(at("key_file"), field("key_file"), "%q: must be an absolute path (an agenix secret under /run/agenix)", rp.KeyFile)
		}
		if rp.KeyEnv != "" && !envRe.MatchString(rp.KeyEnv) {
			fail(at("key_env"), field("key_env"), "%q is not a variable name (the key itself never goes here)", rp.KeyEnv)
		}
		if p.Kind != kindOllama && slices.Contains(kinds, p.Kind) && rp.KeyFile == "" && rp.KeyEnv == "" {
			fail(at(""), field("key_file"), "%s needs an API key: set key_file (agenix) or key_env", p.Kind)
		}
		if rp.Timeout != nil {
			p.Timeout = rp.Timeout.Duration
		}
		if rp.Backoff != nil {
			p.Backoff = rp.Backoff.Duration
		}
		if rp.MaxWait != nil {
			p.MaxWait = rp.MaxWait.Duration
		}
		if rp.Retries != nil {
			if *rp.Retries < 0 || *rp.Retries > 10 {
				fail(at("retries"), field("retries"), "%d: between 0 and 10", *rp.Retries)
			}
			p.Retries = *rp.Retries
		}
		if rp.MaxTokens != nil {
			if *rp.MaxTokens <= 0 {
				fail(at("max_tokens"), field("max_tokens"), "%d: must be positive", *rp.MaxTokens)
			}
			p.MaxTokens = *rp.MaxTokens
		}
		c.Providers = append(c.Providers, p)
	}
	for model, pr := range rc.Prices {
		if pr.Input < 0 || pr.Output < 0 {
			fail(tomlfile.KeyLine(data, []string{"prices", model}), "prices."+model, "prices cannot be negative")
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// provider returns the entry named name.
func (c *Config) provider(name string) (ProviderConfig, bool) {
	for _, p := range c.Providers {
		if p.Name == name {
			return p, true
		}
	}
	return ProviderConfig{}, false
}

// names lists the providers in fallback order.
func (c *Config) names() []string {
	var n []string
	for _, p := range c.Providers {
		n = append(n, p.Name)
	}
	return n
}

// providerLine finds key in the n-th [[provider]] block (its header when key is "" or absent).
func providerLine(lines []string, n int, key string) int {
	count, header := -1, 0
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") {
			if count == n {
				break // past the block
			}
			if t == "[[provider]]" {
				count++
				if count == n {
					header = i + 1
				}
			}
			continue
		}
		if count == n && key != "" {
			if k, _, ok := strings.Cut(t, "="); ok && strings.TrimSpace(k) == key {
				return i + 1
			}
		}
	}
	return header
}

// unknownKeys reports whether every error of a decode is an unknown key, after which the
// values are still checked (a syntax or type error stops there).
func unknownKeys(errs []error) bool {
	for _, e := range errs {
		if ce, ok := e.(*configError); !ok || ce.Msg != "unknown key" {
			return false
		}
	}
	return true
}
