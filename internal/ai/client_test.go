package ai

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testConfig builds a configuration whose providers point at the given servers, in order.
// Waits are short so retries finish quickly; a test sets what it measures.
func testConfig(t *testing.T, entries ...ProviderConfig) *Config {
	t.Helper()
	c := &Config{File: "ai.toml", Deadline: 30 * time.Second, Prices: map[string]Price{}}
	for _, e := range entries {
		if e.Timeout == 0 {
			e.Timeout = 5 * time.Second
		}
		if e.Backoff == 0 {
			e.Backoff = 10 * time.Millisecond
		}
		if e.MaxWait == 0 {
			e.MaxWait = 5 * time.Second
		}
		if e.MaxTokens == 0 {
			e.MaxTokens = 256
		}
		if e.Kind != kindOllama && e.KeyEnv == "" && e.KeyFile == "" {
			e.KeyEnv = "TEST_KEY"
		}
		c.Providers = append(c.Providers, e)
	}
	return c
}

func env(k string) string {
	if k == "TEST_KEY" {
		return testKey
	}
	return ""
}

func outcomes(as []Attempt) string {
	var s []string
	for _, a := range as {
		s = append(s, fmt.Sprintf("%s#%d:%s", a.Provider, a.N, a.Outcome))
	}
	return strings.Join(s, " ")
}

func TestFallbackOrder(t *testing.T) {
	limited := newReplay(t, reply{status: 429, file: "anthropic/error_429.json"})
	broken := newReplay(t, reply{status: 500, file: "openai/error_500.json"}, reply{status: 503, file: "openai/error_503.json"})
	rejected := newReplay(t, reply{status: 400, file: "gemini/error_400.json"})
	local := newReplay(t, reply{file: "ollama/chat.json"})
	cfg := testConfig(t,
		ProviderConfig{Name: "anthropic", Kind: kindAnthropic, Model: "claude-sonnet-4-5", URL: limited.URL(), Settings: Settings{Retries: 2}},
		ProviderConfig{Name: "openai", Kind: kindOpenAI, Model: "gpt-4.1", URL: broken.URL(), Settings: Settings{Retries: 1}},
		ProviderConfig{Name: "gemini", Kind: kindGemini, Model: "gemini-2.5-flash", URL: rejected.URL(), Settings: Settings{Retries: 3}},
		ProviderConfig{Name: "ollama", Kind: kindOllama, Model: "qwen2.5-coder:14b", URL: local.URL()},
	)
	var live []string
	c, err := New(cfg, Options{Getenv: env, OnAttempt: func(a Attempt) { live = append(live, a.Provider) }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Generate(context.Background(), question, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 429 and 5xx are retried up to each provider's retries; a 400 moves on at once.
	want := "anthropic#1:rate-limited anthropic#2:rate-limited anthropic#3:rate-limited openai#1:server-error openai#2:server-error gemini#1:rejected ollama#1:ok"
	if got := outcomes(res.Attempts); got != want {
		t.Errorf("attempts\n got %s\nwant %s", got, want)
	}
	if len(live) != len(res.Attempts) {
		t.Errorf("OnAttempt saw %d attempts, the result has %d", len(live), len(res.Attempts))
	}
	if res.Response.Provider != "ollama" {
		t.Errorf("answered by %s", res.Response.Provider)
	}
	if got := strings.Join(c.Names(), ","); got != "anthropic,openai,gemini,ollama" {
		t.Errorf("Names() = %s, want the configuration's order", got)
	}
	if n := len(rejected.requests()); n != 1 {
		t.Errorf("gemini was asked %d times after a 400", n)
	}
	if a := res.Attempts[3]; a.Status != 500 || a.Wait != 10*time.Millisecond {
		t.Errorf("first openai attempt %+v: want HTTP 500 and the 10ms backoff", a)
	}
	if a := res.Attempts[1]; a.Wait != 20*time.Millisecond {
		t.Errorf("second anthropic attempt waited %s, want the doubled backoff 20ms", a.Wait)
	}
}

func TestAllProvidersFail(t *testing.T) {
	a := newReplay(t, reply{status: 401, file: "anthropic/error_401.json"})
	b := newReplay(t, reply{status: 404, file: "ollama/error_404.json"})
	cfg := testConfig(t,
		ProviderConfig{Name: "anthropic", Kind: kindAnthropic, Model: "m", URL: a.URL()},
		ProviderConfig{Name: "ollama", Kind: kindOllama, Model: "m", URL: b.URL()},
	)
	c, _ := New(cfg, Options{Getenv: env})
	res, err := c.Generate(context.Background(), question, nil)
	if err == nil || res.Response != nil {
		t.Fatalf("got an answer: %+v", res)
	}
	for _, want := range []string{"anthropic: rejected (HTTP 401)", "ollama: rejected (HTTP 404)", "ai:providers"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error spans lines: %q", err)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Run("honoured", func(t *testing.T) {
		srv := newReplay(t, reply{status: 429, file: "anthropic/error_429.json", header: map[string]string{"Retry-After": "1"}}, reply{file: "anthropic/message.json"})
		// The backoff alone would retry after 10ms; the provider asked for a second.
		cfg := testConfig(t, ProviderConfig{Name: "anthropic", Kind: kindAnthropic, Model: "m", URL: srv.URL(), Settings: Settings{Retries: 1}})
		c, _ := New(cfg, Options{Getenv: env})
		start := time.Now()
		res, err := c.Generate(context.Background(), question, nil)
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took < time.Second {
			t.Errorf("retried after %s, before the Retry-After of 1s", took)
		}
		if res.Attempts[0].Wait != time.Second || outcomes(res.Attempts) != "anthropic#1:rate-limited anthropic#2:ok" {
			t.Errorf("attempts %s, first waited %s", outcomes(res.Attempts), res.Attempts[0].Wait)
		}
	})
	t.Run("over max_wait moves on", func(t *testing.T) {
		srv := newReplay(t, reply{status: 429, file: "openai/error_429.json", header: map[string]string{"Retry-After": "120"}})
		next := newReplay(t, reply{file: "gemini/generate.json"})
		cfg := testConfig(t,
			ProviderConfig{Name: "openai", Kind: kindOpenAI, Model: "m", URL: srv.URL(), Settings: Settings{Retries: 3, MaxWait: 10 * time.Second}},
			ProviderConfig{Name: "gemini", Kind: kindGemini, Model: "m", URL: next.URL()})
		c, _ := New(cfg, Options{Getenv: env})
		start := time.Now()
		res, err := c.Generate(context.Background(), question, nil)
		if err != nil {
			t.Fatal(err)
		}
		if time.Since(start) > 2*time.Second {
			t.Errorf("waited %s for a Retry-After over max_wait", time.Since(start))
		}
		if got := outcomes(res.Attempts); got != "openai#1:rate-limited gemini#1:ok" || !strings.Contains(res.Attempts[0].Err, "max_wait") {
			t.Errorf("attempts %s (%q)", got, res.Attempts[0].Err)
		}
	})
	t.Run("HTTP date", func(t *testing.T) {
		at := time.Now().Add(90 * time.Second).UTC().Format(httpTime)
		d := retryAfter(map[string][]string{"Retry-After": {at}}, time.Now())
		if d < 85*time.Second || d > 91*time.Second {
			t.Errorf("Retry-After %q read as %s", at, d)
		}
	})
}

const httpTime = "Mon, 02 Jan 2006 15:04:05 GMT"

func TestDeadlines(t *testing.T) {
	for _, w := range wire {
		t.Run("per-provider timeout/"+string(w.kind), func(t *testing.T) {
			slow := newReplay(t, reply{file: w.whole, delay: 2 * time.Second})
			next := newReplay(t, reply{file: "ollama/chat.json"})
			cfg := testConfig(t,
				ProviderConfig{Name: "slow", Kind: w.kind, Model: "gemini-2.5-flash", URL: slow.URL(), Settings: Settings{Timeout: 200 * time.Millisecond, Retries: 1}},
				ProviderConfig{Name: "ollama", Kind: kindOllama, Model: "m", URL: next.URL()})
			c, _ := New(cfg, Options{Getenv: env})
			start := time.Now()
			res, err := c.Generate(context.Background(), question, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := outcomes(res.Attempts); got != "slow#1:timeout slow#2:timeout ollama#1:ok" {
				t.Errorf("attempts %s", got)
			}
			if took := time.Since(start); took > 1500*time.Millisecond {
				t.Errorf("took %s: the 200ms timeout did not bound the attempts", took)
			}
			if !strings.Contains(res.Attempts[0].Err, "no answer within 200ms") {
				t.Errorf("timeout reported as %q", res.Attempts[0].Err)
			}
		})
	}
	t.Run("slow stream", func(t *testing.T) {
		// Each chunk comes in time, but the whole answer does not.
		slow := newReplay(t, reply{file: "ollama/stream.ndjson", pace: 300 * time.Millisecond})
		cfg := testConfig(t, ProviderConfig{Name: "ollama", Kind: kindOllama, Model: "m", URL: slow.URL(), Settings: Settings{Timeout: 450 * time.Millisecond, Retries: 0}})
		c, _ := New(cfg, Options{})
		var shown string
		res, err := c.Generate(context.Background(), question, func(d string) { shown += d })
		if err == nil {
			t.Fatalf("a stream slower than its timeout was accepted: %+v", res.Response)
		}
		if shown == "" || !strings.Contains(res.Attempts[0].Err, "part of the answer") || res.Attempts[0].Outcome != outcomeTimeout {
			t.Errorf("shown %q, attempt %+v", shown, res.Attempts[0])
		}
	})
	t.Run("total deadline", func(t *testing.T) {
		slow := newReplay(t, reply{file: "openai/chat.json", delay: 5 * time.Second})
		cfg := testConfig(t,
			ProviderConfig{Name: "a", Kind: kindOpenAI, Model: "m", URL: slow.URL(), Settings: Settings{Timeout: 10 * time.Second}},
			ProviderConfig{Name: "b", Kind: kindOpenAI, Model: "m", URL: slow.URL(), Settings: Settings{Timeout: 10 * time.Second}})
		cfg.Deadline = 300 * time.Millisecond
		c, _ := New(cfg, Options{Getenv: env})
		start := time.Now()
		res, err := c.Generate(context.Background(), question, nil)
		if err == nil || !strings.Contains(err.Error(), "total deadline reached") {
			t.Fatalf("err = %v", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("took %s past a 300ms deadline", took)
		}
		if got := outcomes(res.Attempts); got != "a#1:cancelled" {
			t.Errorf("attempts %s: the deadline must stop the fallback too", got)
		}
	})
}

func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close() // nothing listens there now: connection refused
	for _, kind := range kinds {
		t.Run(string(kind), func(t *testing.T) {
			next := newReplay(t, reply{file: "ollama/chat.json"})
			cfg := testConfig(t,
				ProviderConfig{Name: "down", Kind: kind, Model: "m", URL: dead, Settings: Settings{Retries: 1}},
				ProviderConfig{Name: "ollama", Kind: kindOllama, Model: "m", URL: next.URL()})
			c, _ := New(cfg, Options{Getenv: env})
			res, err := c.Generate(context.Background(), question, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := outcomes(res.Attempts); got != "down#1:unreachable down#2:unreachable ollama#1:ok" {
				t.Errorf("attempts %s (%s)", got, res.Attempts[0].Err)
			}
			st := c.Check(context.Background())
			if st[0].Reachable || !st[1].Reachable || st[0].Err == "" {
				t.Errorf("check: %+v", st)
			}
		})
	}
}

func TestOnly(t *testing.T) {
	cloud := newReplay(t, reply{file: "anthropic/message.json"})
	local := newReplay(t, reply{file: "ollama/chat.json"})
	cfg := testConfig(t,
		ProviderConfig{Name: "anthropic", Kind: kindAnthropic, Model: "m", URL: cloud.URL()},
		ProviderConfig{Name: "ollama", Kind: kindOllama, Model: "m", URL: local.URL()})
	c, err := New(cfg, Options{Getenv: env, Only: []string{"ollama"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Generate(context.Background(), question, nil)
	if err != nil || res.Response.Provider != "ollama" {
		t.Fatalf("%v %+v", err, res)
	}
	if n := len(cloud.requests()); n != 0 {
		t.Errorf("with Only ollama, the cloud provider got %d requests", n)
	}
	if _, err := New(cfg, Options{Only: []string{"olama"}}); err == nil || !strings.Contains(err.Error(), `no provider "olama"`) {
		t.Errorf("a misspelt -provider: %v", err)
	}
}

func TestMissingKey(t *testing.T) {
	srv := newReplay(t, reply{file: "openai/chat.json"})
	local := newReplay(t, reply{file: "ollama/chat.json"})
	cfg := testConfig(t,
		ProviderConfig{Name: "openai", Kind: kindOpenAI, Model: "m", URL: srv.URL(), KeyFile: "/nonexistent/agenix/openai", KeyEnv: "UNSET_KEY"},
		ProviderConfig{Name: "ollama", Kind: kindOllama, Model: "m", URL: local.URL()})
	c, _ := New(cfg, Options{Getenv: env})
	res, err := c.Generate(context.Background(), question, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(res.Attempts); got != "openai#1:no-key ollama#1:ok" {
		t.Errorf("attempts %s", got)
	}
	if want := "/nonexistent/agenix/openai absent, $UNSET_KEY unset"; !strings.Contains(res.Attempts[0].Err, want) {
		t.Errorf("no-key attempt says %q, want %q", res.Attempts[0].Err, want)
	}
	if len(srv.requests()) != 0 {
		t.Error("a provider without a key was called")
	}
}

func TestKeySources(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "anthropic-api-key")
	os.WriteFile(file, []byte(" from-the-file-0123456789\n"), 0o400)
	tests := []struct {
		name string
		p    ProviderConfig
		env  map[string]string
		key  string
		src  string
	}{
		{"file wins", ProviderConfig{KeyFile: file, KeyEnv: "K"}, map[string]string{"K": "from-env-0123456789"}, "from-the-file-0123456789", file},
		{"env when the file is absent", ProviderConfig{KeyFile: filepath.Join(dir, "absent"), KeyEnv: "K"}, map[string]string{"K": "from-env-0123456789"}, "from-env-0123456789", "$K"},
		{"neither", ProviderConfig{KeyFile: filepath.Join(dir, "absent"), KeyEnv: "K"}, nil, "", "missing (" + filepath.Join(dir, "absent") + " absent, $K unset)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, src, err := readKey(tt.p, func(k string) string { return tt.env[k] }, os.ReadFile)
			if err != nil || key != tt.key || src.String() != tt.src {
				t.Errorf("key %q source %q err %v, want %q %q", key, src, err, tt.key, tt.src)
			}
		})
	}
}

func TestCost(t *testing.T) {
	claude := newReplay(t, reply{file: "anthropic/message.json"}) // 2095 in, 503 out
	gpt := newReplay(t, reply{file: "openai/chat.json"})          // 1900 in, 420 out
	local := newReplay(t, reply{file: "ollama/chat.json"})        // free
	unpriced := newReplay(t, reply{file: "gemini/generate.json"}) // no price
	cfg := testConfig(t,
		ProviderConfig{Name: "anthropic", Kind: kindAnthropic, Model: "claude-sonnet-4-5", URL: claude.URL()},
		ProviderConfig{Name: "openai", Kind: kindOpenAI, Model: "gpt-4.1", URL: gpt.URL()},
		ProviderConfig{Name: "ollama", Kind: kindOllama, Model: "qwen2.5-coder:14b", URL: local.URL()},
		ProviderConfig{Name: "gemini", Kind: kindGemini, Model: "gemini-2.5-flash", URL: unpriced.URL()})
	cfg.Prices = map[string]Price{
		"claude-sonnet-4-5": {Input: 3, Output: 15},
		// priced by the model the answer names, not the configured alias
		"gpt-4.1-2025-04-14": {Input: 2, Output: 8},
	}
	c, _ := New(cfg, Options{Getenv: env})
	costs := map[string]float64{}
	for _, name := range []string{"anthropic", "openai", "ollama", "gemini"} {
		only, _ := New(cfg, Options{Getenv: env, Only: []string{name}})
		res, err := only.Generate(context.Background(), question, nil)
		if err != nil {
			t.Fatal(err)
		}
		costs[name] = res.Cost
		// The same call on the shared client sums the run.
		c.entries = only.entries
		if _, err := c.Generate(context.Background(), question, nil); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]float64{"anthropic": (2095*3 + 503*15) / 1e6, "openai": (1900*2 + 420*8) / 1e6, "ollama": 0, "gemini": 0}
	for k, v := range want {
		if d := costs[k] - v; d > 1e-12 || d < -1e-12 {
			t.Errorf("%s cost %.6f, want %.6f", k, costs[k], v)
		}
	}
	tot := c.Total()
	if tot.Calls != 4 || tot.Unpriced != 1 || tot.Usage != (Usage{2095 + 1900 + 1800 + 1850, 503 + 420 + 390 + 440}) {
		t.Errorf("total %+v", tot)
	}
	if d := tot.Cost - (want["anthropic"] + want["openai"]); d > 1e-12 || d < -1e-12 {
		t.Errorf("run cost %.6f", tot.Cost)
	}
}

func TestStreamedFallback(t *testing.T) {
	// Overloaded before any text (a 529, then an error event as the stream's first event):
	// nothing was shown, so the next provider may stream the answer.
	overloaded := newReplay(t, reply{status: 529, file: "anthropic/error_529.json"}, reply{file: "anthropic/stream_overloaded.sse"})
	gpt := newReplay(t, reply{file: "openai/stream.sse", pace: 2 * time.Millisecond})
	cfg := testConfig(t,
		ProviderConfig{Name: "anthropic", Kind: kindAnthropic, Model: "m", URL: overloaded.URL(), Settings: Settings{Retries: 1}},
		ProviderConfig{Name: "openai", Kind: kindOpenAI, Model: "m", URL: gpt.URL()})
	c, _ := New(cfg, Options{Getenv: env})
	var shown strings.Builder
	res, err := c.Generate(context.Background(), question, func(d string) { shown.WriteString(d) })
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(res.Attempts); got != "anthropic#1:server-error anthropic#2:server-error openai#1:ok" {
		t.Errorf("attempts %s", got)
	}
	if shown.String() != "The deploy of razer failed in activate." || res.Response.Text != shown.String() {
		t.Errorf("shown %q, answer %q", shown.String(), res.Response.Text)
	}
}
