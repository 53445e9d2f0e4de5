package ai

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const goodConfig = `# fallback order is file order
deadline = "2m"

[[provider]]
name = "ollama"
kind = "ollama"
model = "qwen2.5-coder:14b"
url = "http://p620:11434"
timeout = "120s"

[[provider]]
name = "anthropic"
kind = "anthropic"
model = "claude-sonnet-4-5"
key_file = "/run/agenix/anthropic-api-key"
key_env = "ANTHROPIC_API_KEY"
retries = 3
backoff = "2s"
max_wait = "45s"
max_tokens = 4096

[prices]
"claude-sonnet-4-5" = { input = 3.0, output = 15.0 }
`

func TestParseConfig(t *testing.T) {
	c, err := parseConfig("hosts/ai.toml", []byte(goodConfig))
	if err != nil {
		t.Fatal(err)
	}
	if c.Deadline != 2*time.Minute || strings.Join(c.names(), ",") != "ollama,anthropic" {
		t.Errorf("deadline %s, order %v", c.Deadline, c.names())
	}
	o, _ := c.provider("ollama")
	if o.Timeout != 120*time.Second || o.Retries != 2 || o.Backoff != time.Second || o.MaxWait != 30*time.Second || o.MaxTokens != 1024 {
		t.Errorf("ollama defaults: %+v", o.Settings)
	}
	a, _ := c.provider("anthropic")
	if a.Retries != 3 || a.Backoff != 2*time.Second || a.MaxWait != 45*time.Second || a.MaxTokens != 4096 || a.KeyFile != "/run/agenix/anthropic-api-key" || a.KeyEnv != "ANTHROPIC_API_KEY" {
		t.Errorf("anthropic: %+v", a)
	}
	if p := c.Prices["claude-sonnet-4-5"]; p.Input != 3 || p.Output != 15 {
		t.Errorf("prices %+v", c.Prices)
	}
}

func TestConfigErrors(t *testing.T) {
	base := "[[provider]]\nname = \"a\"\nkind = \"openai\"\nmodel = \"m\"\nkey_env = \"K\"\n"
	tests := []struct {
		name, data, want string
	}{
		{"unknown key", base + "tiemout = \"5s\"\n", "hosts/ai.toml:6: provider.tiemout: unknown key"},
		{"bad kind", "[[provider]]\nname = \"a\"\nkind = \"claude\"\nmodel = \"m\"\nkey_env = \"K\"\n", `hosts/ai.toml:3: provider a: kind: "claude": one of anthropic, openai, gemini, ollama`},
		{"no model", "[[provider]]\nname = \"a\"\nkind = \"ollama\"\n", "hosts/ai.toml:1: provider a: model: missing"},
		{"no key source", "[[provider]]\nname = \"a\"\nkind = \"gemini\"\nmodel = \"m\"\n", "hosts/ai.toml:1: provider a: key_file: gemini needs an API key: set key_file (agenix) or key_env"},
		{"key in key_env", "[[provider]]\nname = \"a\"\nkind = \"openai\"\nmodel = \"m\"\nkey_env = \"sk-proj-abc\"\n", `hosts/ai.toml:5: provider a: key_env: "sk-proj-abc" is not a variable name (the key itself never goes here)`},
		{"relative key file", "[[provider]]\nname = \"a\"\nkind = \"openai\"\nmodel = \"m\"\nkey_file = \"secrets/k\"\n", `hosts/ai.toml:5: provider a: key_file: "secrets/k": must be an absolute path (an agenix secret under /run/agenix)`},
		{"credentials in url", base + "url = \"https://u:p@example.org\"\n", "hosts/ai.toml:6: provider a: url: credentials in the URL: put the key in key_file or key_env"},
		{"duplicate", base + base, `hosts/ai.toml:7: provider a: name: "a" is listed twice`},
		{"bad duration", base + "timeout = \"soon\"\n", `hosts/ai.toml:6: provider.timeout: not a duration: "soon"`},
		{"retries", base + "retries = 50\n", "hosts/ai.toml:6: provider a: retries: 50: between 0 and 10"},
		{"no providers", "deadline = \"1m\"\n", "hosts/ai.toml: provider: no [[provider]]: add one (docs/ai.md)"},
		{"negative price", base + "[prices]\nm = { input = -1.0, output = 2.0 }\n", "hosts/ai.toml:7: prices.m: prices cannot be negative"},
		{"syntax", "[[provider]\n", "hosts/ai.toml:2: expected end of table array name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig("hosts/ai.toml", []byte(tt.data))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got  %s\nwant %s", err, tt.want)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "hosts/ai.toml") {
					t.Errorf("error line without the file: %q", line)
				}
			}
		})
	}
}

func TestLoadConfigMissing(t *testing.T) {
	_, err := LoadConfig(filepath.Join(t.TempDir(), "ai.toml"))
	if err == nil || !strings.Contains(err.Error(), "no AI configuration: create it (docs/ai.md") {
		t.Errorf("err = %v", err)
	}
}

// The repository's own configuration must load: every target reads it.
func TestRepositoryConfig(t *testing.T) {
	file := filepath.Join("..", "..", DefaultConfigFile)
	if _, err := os.Stat(file); err != nil {
		t.Skip("no", file)
	}
	if _, err := LoadConfig(file); err != nil {
		t.Fatal(err)
	}
}

// The file's order, timeouts and key_env reach the client: a rate-limited first provider
// falls back to the second, whose key comes from the variable the file names.
func TestConfigDrivesClient(t *testing.T) {
	limited := newReplay(t, reply{status: 429, file: "gemini/error_429.json"})
	gpt := newReplay(t, reply{file: "openai/chat.json"})
	file := filepath.Join(t.TempDir(), "ai.toml")
	data := fmt.Sprintf(`deadline = "10s"
[[provider]]
name = "gemini"
kind = "gemini"
model = "gemini-2.5-flash"
url = %q
key_env = "HUB_TEST_GEMINI_KEY"
retries = 1
backoff = "10ms"

[[provider]]
name = "openai"
kind = "openai"
model = "gpt-4.1"
url = %q
key_env = "HUB_TEST_OPENAI_KEY"

[prices]
"gpt-4.1" = { input = 2.0, output = 8.0 }
`, limited.URL(), gpt.URL())
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HUB_TEST_GEMINI_KEY", "gemini-key-0123456789")
	t.Setenv("HUB_TEST_OPENAI_KEY", "openai-key-0123456789")
	c, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Generate(context.Background(), question, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(res.Attempts); got != "gemini#1:rate-limited gemini#2:rate-limited openai#1:ok" {
		t.Errorf("attempts %s", got)
	}
	if h := gpt.requests()[0].header.Get("Authorization"); h != "Bearer openai-key-0123456789" {
		t.Errorf("openai got Authorization %q", h)
	}
	if want := (1900*2.0 + 420*8.0) / 1e6; res.Cost != want {
		t.Errorf("cost %v, want %v", res.Cost, want)
	}
}
