package ai

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// echoKey answers like a provider whose error echoes the credential it was sent (a proxy
// that logs headers into its error, an API that quotes the key it rejects).
func echoKey(t *testing.T, status int, kind Kind) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("X-Goog-Api-Key") + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		switch kind {
		case kindAnthropic:
			fmt.Fprintf(w, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key %s"}}`, key)
		case kindOpenAI:
			fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`, key)
		case kindGemini:
			fmt.Fprintf(w, `{"error":{"code":%d,"message":"API key not valid: %s","status":"UNAVAILABLE"}}`, status, key)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestKeysNeverLeave(t *testing.T) {
	const fileKey = "sk-ant-api03-PLANTEDFILEKEY-0123456789abcdef"
	const envKey = "sk-proj-PLANTEDENVKEY-0123456789abcdef"
	const gemKey = "AIzaSyPLANTEDGEMINIKEY0123456789abcd"
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "anthropic-api-key")
	if err := os.WriteFile(keyFile, []byte(fileKey+"\n"), 0o400); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		return map[string]string{"OPENAI_API_KEY": envKey, "GEMINI_API_KEY": gemKey}[k]
	}
	a := echoKey(t, 401, kindAnthropic)
	o := echoKey(t, 503, kindOpenAI)
	g := echoKey(t, 503, kindGemini)
	cfg := testConfig(t,
		ProviderConfig{Name: "anthropic", Kind: kindAnthropic, Model: "m", URL: a.URL, KeyFile: keyFile},
		ProviderConfig{Name: "openai", Kind: kindOpenAI, Model: "m", URL: o.URL, KeyEnv: "OPENAI_API_KEY", Settings: Settings{Retries: 1}},
		ProviderConfig{Name: "gemini", Kind: kindGemini, Model: "m", URL: g.URL, KeyEnv: "GEMINI_API_KEY"},
	)
	var out bytes.Buffer
	c, err := New(cfg, Options{Getenv: getenv, OnAttempt: func(a Attempt) { fmt.Fprintf(&out, "live: %+v\n", a) }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Generate(context.Background(), question, nil)
	if err == nil {
		t.Fatal("every provider rejects the key, yet an answer came")
	}
	fmt.Fprintln(&out, err)
	// Streamed too: the SDKs build these errors on another path.
	res2, err2 := c.Generate(context.Background(), question, func(string) {})
	fmt.Fprintln(&out, err2)
	WriteAttempts(&out, append(res.Attempts, res2.Attempts...))
	WriteSummary(&out, res, c.Total())
	WriteJSON(&out, c.Redactor(), Report{Target: "ai:ask", Attempts: res.Attempts, Error: c.Redactor().Redact(err.Error())})
	st := c.Check(context.Background())
	WriteStatus(&out, st)
	WriteStatusJSON(&out, c.Redactor(), st)
	fmt.Fprintf(&out, "%+v %v\n", st, c.Redactor().Error(err))

	text := out.String()
	// The echo servers did receive the keys: otherwise this test would prove nothing.
	if !strings.Contains(text, "[redacted]") {
		t.Fatalf("no redaction happened, so the keys never came back:\n%s", text)
	}
	for _, k := range []string{fileKey, envKey, gemKey} {
		if strings.Contains(text, k) {
			t.Errorf("key %s... appears in the output:\n%s", k[:12], text)
		}
	}
	if !strings.Contains(text, keyFile) || !strings.Contains(text, "$OPENAI_API_KEY") {
		t.Errorf("the key's source (file, variable) should be shown:\n%s", text)
	}
}

func TestRedactor(t *testing.T) {
	var r Redactor
	r.Add("short") // under 8 characters: not treated as a secret
	r.Add("abcdefgh12345678")
	r.Add("abcdefgh12345678-longer")
	got := r.Redact("k=abcdefgh12345678-longer and abcdefgh12345678, short")
	if got != "k=[redacted] and [redacted], short" {
		t.Errorf("got %q", got)
	}
}

func TestKeysNotSentInPrompts(t *testing.T) {
	srv := newReplay(t, reply{file: "ollama/chat.json"})
	cfg := testConfig(t,
		ProviderConfig{Name: "openai", Kind: kindOpenAI, Model: "m", URL: srv.URL()},
		ProviderConfig{Name: "ollama", Kind: kindOllama, Model: "m", URL: srv.URL()})
	// The openai key is read, but only ollama is asked: a prompt quoting that key (a log line)
	// goes to ollama.
	c, _ := New(cfg, Options{Getenv: env})
	c.entries = c.entries[1:]
	req := Request{System: "log: OPENAI_API_KEY=" + testKey, Messages: []Message{{Role: RoleUser, Text: "why? " + testKey}}}
	if _, err := c.Generate(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	body := string(srv.requests()[0].body)
	if strings.Contains(body, testKey) || !strings.Contains(body, "[redacted]") {
		t.Errorf("the prompt sent carries the key: %s", body)
	}
	if !strings.Contains(req.Messages[0].Text, testKey) {
		t.Error("Generate changed the caller's request")
	}
}
