package ai

import (
	"bytes"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/goldenfile"
)

var sampleAttempts = []Attempt{
	{Provider: "anthropic", Model: "claude-sonnet-4-5", N: 1, Outcome: outcomeRateLimited, Status: 429, Duration: 312 * time.Millisecond, Wait: 2 * time.Second,
		Err: "anthropic: HTTP 429 rate_limit_error: This request would exceed the rate limit (retry after 2s)"},
	{Provider: "anthropic", Model: "claude-sonnet-4-5", N: 2, Outcome: outcomeServer, Status: 529, Duration: 1200 * time.Millisecond,
		Err: "anthropic: HTTP 529 overloaded_error: Overloaded"},
	{Provider: "ollama", Model: "qwen2.5-coder:14b", N: 1, Outcome: OutcomeOK, Duration: 4350 * time.Millisecond},
}

var sampleResult = &Result{
	Response: &Response{Text: "…", Provider: "ollama", Kind: kindOllama, Model: "qwen2.5-coder:14b", Usage: Usage{1800, 390}, StopReason: "stop"},
	Attempts: sampleAttempts, Cost: 0, Priced: true,
}

func TestWriteAttempts(t *testing.T) {
	var b bytes.Buffer
	if err := WriteAttempts(&b, sampleAttempts); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/attempts.golden", b.Bytes())
}

func TestWriteSummary(t *testing.T) {
	var b bytes.Buffer
	WriteSummary(&b, sampleResult, Total{Calls: 1, Usage: Usage{1800, 390}})
	WriteSummary(&b, &Result{Response: &Response{Provider: "anthropic", Model: "claude-sonnet-4-5-20250929", Usage: Usage{2095, 503}}, Attempts: sampleAttempts[:1], Cost: 0.013830, Priced: true},
		Total{Calls: 3, Usage: Usage{5000, 1200}, Cost: 0.02, Unpriced: 1})
	WriteSummary(&b, &Result{Attempts: sampleAttempts[:2]}, Total{})
	goldenfile.Check(t, "testdata/summary.golden", b.Bytes())
}

func TestWriteStatus(t *testing.T) {
	st := []Status{
		{Name: "ollama", Kind: kindOllama, Model: "qwen2.5-coder:14b", URL: "http://p620:11434", Key: KeySource{Kind: "none"}, Reachable: true, Latency: 12 * time.Millisecond},
		{Name: "anthropic", Kind: kindAnthropic, Model: "claude-sonnet-4-5", URL: "https://api.anthropic.com", Key: KeySource{Kind: "file", From: "/run/agenix/anthropic-api-key"}, Reachable: true, Latency: 231 * time.Millisecond},
		{Name: "openai", Kind: kindOpenAI, Model: "gpt-4.1", URL: "https://api.openai.com/v1", Key: KeySource{Kind: "env", From: "OPENAI_API_KEY"}, Latency: 15 * time.Second, Err: "openai: no answer within 15s"},
		{Name: "gemini", Kind: kindGemini, Model: "gemini-2.5-flash", URL: "https://generativelanguage.googleapis.com", Key: KeySource{Kind: "none", From: "/run/agenix/gemini-api-key absent, $GEMINI_API_KEY unset"},
			Err: "no API key: /run/agenix/gemini-api-key absent, $GEMINI_API_KEY unset"},
	}
	var b bytes.Buffer
	if err := WriteStatus(&b, st); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/status.golden", b.Bytes())
	b.Reset()
	if err := WriteStatusJSON(&b, nil, st[:2]); err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/status.json.golden", b.Bytes())
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	err := WriteJSON(&b, nil, Report{Target: "ai:ask", Response: sampleResult.Response, Priced: true, Attempts: sampleAttempts,
		Total: Total{Calls: 1, Usage: Usage{1800, 390}}})
	if err != nil {
		t.Fatal(err)
	}
	goldenfile.Check(t, "testdata/report.json.golden", b.Bytes())
}
