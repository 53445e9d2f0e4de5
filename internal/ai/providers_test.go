package ai

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

const testKey = "sk-test-0123456789abcdefPLANTED"

func provider(kind Kind, url string) Provider {
	hc := &http.Client{}
	switch kind {
	case kindAnthropic:
		return newClaude("claude", "claude-sonnet-4-5", url, testKey, hc, 512)
	case kindOpenAI:
		return newGPT("gpt", "gpt-4.1", url, testKey, hc, 512)
	case kindGemini:
		return newGemini("gemini", "gemini-2.5-flash", url, testKey, hc, 512)
	}
	return newOllama("ollama", "qwen2.5-coder:14b", url, hc, 512)
}

var question = Request{
	System:   "You operate a NixOS fleet.",
	Messages: []Message{{Role: RoleUser, Text: "Which host goes first?"}},
}

// wire describes where each provider's documented request shape puts things, and its fixtures.
var wire = []struct {
	kind                         Kind
	whole, stream, structured    string
	path, streamPath             string
	keyHeader, keyValue          string
	systemPath, schemaPath       []string // JSON paths in the request body
	maxTokensPath                []string
	text, streamText, model      string
	usage, streamUsage           Usage
	stop                         string
	truncated, malformed, midErr string
}{
	{kind: kindAnthropic, whole: "anthropic/message.json", stream: "anthropic/stream.sse", structured: "anthropic/structured.json",
		// The SDK (v2) sends the key as a bearer token.
		path: "/v1/messages", streamPath: "/v1/messages", keyHeader: "Authorization", keyValue: "Bearer " + testKey,
		systemPath: []string{"system", "0", "text"}, schemaPath: []string{"output_config", "format", "schema"}, maxTokensPath: []string{"max_tokens"},
		model: "claude-sonnet-4-5-20250929", usage: Usage{2095, 503}, streamUsage: Usage{25, 15}, stop: "end_turn",
		truncated: "anthropic/stream_truncated.sse", malformed: "anthropic/stream_malformed.sse", midErr: "anthropic/stream_overloaded.sse"},
	{kind: kindOpenAI, whole: "openai/chat.json", stream: "openai/stream.sse", structured: "openai/structured.json",
		path: "/chat/completions", streamPath: "/chat/completions", keyHeader: "Authorization", keyValue: "Bearer " + testKey,
		systemPath: []string{"messages", "0", "content"}, schemaPath: []string{"response_format", "json_schema", "schema"}, maxTokensPath: []string{"max_completion_tokens"},
		model: "gpt-4.1-2025-04-14", usage: Usage{1900, 420}, streamUsage: Usage{25, 15}, stop: "stop",
		truncated: "openai/stream_truncated.sse", malformed: "openai/stream_malformed.sse", midErr: "openai/stream_error.sse"},
	{kind: kindGemini, whole: "gemini/generate.json", stream: "gemini/stream.sse", structured: "gemini/structured.json",
		path: "/v1beta/models/gemini-2.5-flash:generateContent", streamPath: "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
		keyHeader: "X-Goog-Api-Key", keyValue: testKey,
		systemPath: []string{"systemInstruction", "parts", "0", "text"}, schemaPath: []string{"generationConfig", "responseJsonSchema"}, maxTokensPath: []string{"generationConfig", "maxOutputTokens"},
		model: "gemini-2.5-flash", usage: Usage{1850, 440}, streamUsage: Usage{25, 15}, stop: "STOP",
		truncated: "gemini/stream_truncated.sse", malformed: "gemini/stream_malformed.sse"},
	{kind: kindOllama, whole: "ollama/chat.json", stream: "ollama/stream.ndjson", structured: "ollama/structured.json",
		path: "/api/chat", streamPath: "/api/chat",
		systemPath: []string{"messages", "0", "content"}, schemaPath: []string{"format"}, maxTokensPath: []string{"options", "num_predict"},
		model: "qwen2.5-coder:14b", usage: Usage{1800, 390}, streamUsage: Usage{25, 15}, stop: "stop",
		truncated: "ollama/stream_truncated.ndjson", malformed: "ollama/stream_malformed.ndjson", midErr: "ollama/stream_error.ndjson"},
}

// dig follows a path of object keys and array indexes through decoded JSON.
func dig(t *testing.T, body []byte, path []string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("request body is not JSON: %v\n%s", err, body)
	}
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i := int(p[0] - '0')
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func TestProviderAnswers(t *testing.T) {
	for _, w := range wire {
		t.Run(string(w.kind), func(t *testing.T) {
			srv := newReplay(t, reply{file: w.whole})
			resp, err := provider(w.kind, srv.URL()).Generate(context.Background(), question, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(resp.Text, "p620 is the fleet's build host") || resp.Usage != w.usage || resp.Model != w.model || resp.StopReason != w.stop || resp.Kind != w.kind {
				t.Errorf("response = %+v", resp)
			}
			req := srv.requests()[0]
			if req.path != w.path {
				t.Errorf("path = %s, want %s", req.path, w.path)
			}
			if w.keyHeader != "" && req.header.Get(w.keyHeader) != w.keyValue {
				t.Errorf("%s = %q, want the key", w.keyHeader, req.header.Get(w.keyHeader))
			}
			if strings.Contains(req.path+"?"+req.query, testKey) {
				t.Errorf("the key is in the URL %s?%s", req.path, req.query)
			}
			if got := dig(t, req.body, w.systemPath); got != question.System {
				t.Errorf("system prompt at %v = %v\n%s", w.systemPath, got, req.body)
			}
			if got := dig(t, req.body, w.maxTokensPath); got != float64(512) {
				t.Errorf("max tokens at %v = %v", w.maxTokensPath, got)
			}
		})
	}
}

func TestProviderStreams(t *testing.T) {
	for _, w := range wire {
		t.Run(string(w.kind), func(t *testing.T) {
			// Paced, so the deltas arrive as separate reads the way a real stream does.
			srv := newReplay(t, reply{file: w.stream, pace: 5 * time.Millisecond})
			var deltas []string
			resp, err := provider(w.kind, srv.URL()).Generate(context.Background(), question, func(d string) { deltas = append(deltas, d) })
			if err != nil {
				t.Fatal(err)
			}
			want := "The deploy of razer failed in activate."
			if resp.Text != want || strings.Join(deltas, "") != want || len(deltas) != 2 {
				t.Errorf("text %q from deltas %q, want %q in 2", resp.Text, deltas, want)
			}
			if resp.Usage != w.streamUsage || resp.StopReason != w.stop {
				t.Errorf("usage %+v stop %q, want %+v %q", resp.Usage, resp.StopReason, w.streamUsage, w.stop)
			}
			req := srv.requests()[0]
			if req.path != w.streamPath {
				t.Errorf("path = %s, want %s", req.path, w.streamPath)
			}
			switch w.kind {
			case kindGemini:
				if req.query != "alt=sse" {
					t.Errorf("query = %q, want alt=sse", req.query)
				}
			case kindOpenAI:
				if dig(t, req.body, []string{"stream_options", "include_usage"}) != true {
					t.Errorf("stream_options.include_usage not set: %s", req.body)
				}
			default:
				if dig(t, req.body, []string{"stream"}) != true {
					t.Errorf("stream not set: %s", req.body)
				}
			}
		})
	}
}

func TestProviderStructuredOutput(t *testing.T) {
	schema := map[string]any{"type": "object", "properties": map[string]any{
		"summary": map[string]any{"type": "string"}, "risk": map[string]any{"type": "string"}},
		"required": []any{"summary", "risk"}, "additionalProperties": false}
	for _, w := range wire {
		t.Run(string(w.kind), func(t *testing.T) {
			srv := newReplay(t, reply{file: w.structured})
			req := question
			req.Schema, req.SchemaName = schema, "tuning"
			resp, err := provider(w.kind, srv.URL()).Generate(context.Background(), req, nil)
			if err != nil {
				t.Fatal(err)
			}
			var v struct{ Summary, Risk string }
			if err := json.Unmarshal([]byte(resp.Text), &v); err != nil || v.Summary != "raise vm.swappiness" || v.Risk != "low" {
				t.Errorf("structured text %q: %v", resp.Text, err)
			}
			body := srv.requests()[0].body
			got, _ := json.Marshal(dig(t, body, w.schemaPath))
			want, _ := json.Marshal(schema)
			if string(got) != string(want) {
				t.Errorf("schema at %v = %s, want %s", w.schemaPath, got, want)
			}
			if w.kind == kindGemini && dig(t, body, []string{"generationConfig", "responseMimeType"}) != "application/json" {
				t.Errorf("gemini responseMimeType not application/json: %s", body)
			}
		})
	}
}

func TestProviderErrors(t *testing.T) {
	tests := []struct {
		kind    Kind
		file    string
		status  int
		header  map[string]string
		outcome Outcome
		typ     string
		msg     string
		after   time.Duration
	}{
		{kindAnthropic, "anthropic/error_400.json", 400, nil, outcomeRejected, "invalid_request_error", "max_tokens: Field required", 0},
		{kindAnthropic, "anthropic/error_401.json", 401, nil, outcomeRejected, "authentication_error", "invalid x-api-key", 0},
		{kindAnthropic, "anthropic/error_429.json", 429, map[string]string{"Retry-After": "7"}, outcomeRateLimited, "rate_limit_error", "exceed the rate limit", 7 * time.Second},
		{kindAnthropic, "anthropic/error_500.json", 500, nil, outcomeServer, "api_error", "Internal server error", 0},
		{kindAnthropic, "anthropic/error_529.json", 529, nil, outcomeServer, "overloaded_error", "Overloaded", 0},
		{kindOpenAI, "openai/error_400.json", 400, nil, outcomeRejected, "invalid_request_error", "Invalid schema", 0},
		{kindOpenAI, "openai/error_401.json", 401, nil, outcomeRejected, "invalid_request_error", "Incorrect API key", 0},
		{kindOpenAI, "openai/error_429.json", 429, map[string]string{"Retry-After": "2"}, outcomeRateLimited, "tokens", "Rate limit reached", 2 * time.Second},
		{kindOpenAI, "openai/error_500.json", 500, nil, outcomeServer, "server_error", "had an error", 0},
		{kindOpenAI, "openai/error_503.json", 503, nil, outcomeServer, "server_error", "overloaded", 0},
		{kindGemini, "gemini/error_400.json", 400, nil, outcomeRejected, "INVALID_ARGUMENT", "API key not valid", 0},
		{kindGemini, "gemini/error_403.json", 403, nil, outcomeRejected, "PERMISSION_DENIED", "unregistered callers", 0},
		{kindGemini, "gemini/error_429.json", 429, map[string]string{"Retry-After": "3"}, outcomeRateLimited, "RESOURCE_EXHAUSTED", "exceeded your current quota", 3 * time.Second},
		{kindGemini, "gemini/error_500.json", 500, nil, outcomeServer, "INTERNAL", "internal error", 0},
		{kindGemini, "gemini/error_503.json", 503, nil, outcomeServer, "UNAVAILABLE", "overloaded", 0},
		{kindOllama, "ollama/error_404.json", 404, nil, outcomeRejected, "", "not found, try pulling it first", 0},
		{kindOllama, "ollama/error_500.json", 500, nil, outcomeServer, "", "llama runner process has terminated", 0},
		{kindOllama, "ollama/error_503.json", 503, nil, outcomeServer, "", "server busy", 0},
	}
	for _, tt := range tests {
		for _, streaming := range []bool{false, true} {
			name := tt.file
			if streaming {
				name += "/stream"
			}
			t.Run(name, func(t *testing.T) {
				srv := newReplay(t, reply{status: tt.status, file: tt.file, header: tt.header})
				var s Stream
				if streaming {
					s = func(string) {}
				}
				ctx := context.Background()
				_, err := provider(tt.kind, srv.URL()).Generate(ctx, question, s)
				var ae *apiError
				if !errors.As(err, &ae) {
					t.Fatalf("err = %v (%T), want *APIError", err, err)
				}
				if ae.Status != tt.status || ae.Type != tt.typ || !strings.Contains(ae.Message, tt.msg) || ae.RetryAfter != tt.after {
					t.Errorf("got %+v, want status %d type %q message ~%q retry-after %s", ae, tt.status, tt.typ, tt.msg, tt.after)
				}
				if o, _ := classify(err, ctx, ctx); o != tt.outcome {
					t.Errorf("outcome %s, want %s", o, tt.outcome)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error spans lines: %q", err)
				}
			})
		}
	}
}

func TestBrokenStreams(t *testing.T) {
	for _, w := range wire {
		cases := []struct {
			name, file string
			outcome    Outcome
		}{
			{"truncated", w.truncated, outcomeBadStream},
			{"malformed", w.malformed, outcomeBadStream},
		}
		if w.midErr != "" {
			want := outcomeServer
			if w.kind == kindOllama {
				want = outcomeFailed // an error line names no status
			}
			cases = append(cases, struct {
				name, file string
				outcome    Outcome
			}{"error event", w.midErr, want})
		}
		for _, c := range cases {
			t.Run(string(w.kind)+"/"+c.name, func(t *testing.T) {
				srv := newReplay(t, reply{file: c.file})
				ctx := context.Background()
				resp, err := provider(w.kind, srv.URL()).Generate(ctx, question, func(string) {})
				if err == nil {
					t.Fatalf("a %s stream was accepted: %+v", c.name, resp)
				}
				if o, _ := classify(err, ctx, ctx); o != c.outcome {
					t.Errorf("outcome %s (%v), want %s", o, err, c.outcome)
				}
				if !strings.HasPrefix(err.Error(), provider(w.kind, "").Name()+":") {
					t.Errorf("error does not name the provider: %v", err)
				}
			})
		}
	}
}

func TestPing(t *testing.T) {
	files := map[Kind]struct{ file, path string }{
		kindAnthropic: {"anthropic/models.json", "/v1/models"},
		kindOpenAI:    {"openai/models.json", "/models"},
		kindGemini:    {"gemini/model.json", "/v1beta/models/gemini-2.5-flash"},
		kindOllama:    {"ollama/version.json", "/api/version"},
	}
	for kind, f := range files {
		t.Run(string(kind), func(t *testing.T) {
			srv := newReplay(t, reply{file: f.file})
			if err := provider(kind, srv.URL()).Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
			if r := srv.requests()[0]; r.method != http.MethodGet || r.path != f.path {
				t.Errorf("ping was %s %s, want GET %s", r.method, r.path, f.path)
			}
		})
	}
}
