package ai

import (
	"context"
	"time"
)

// Kind names a provider's wire protocol; a configuration entry picks one.
type Kind string

const (
	kindAnthropic Kind = "anthropic" // Anthropic Messages API
	kindOpenAI    Kind = "openai"    // OpenAI Chat Completions (and compatible servers)
	kindGemini    Kind = "gemini"    // Google Gemini generateContent
	kindOllama    Kind = "ollama"    // Ollama /api/chat
)

// kinds lists the supported kinds in the order the docs present them.
var kinds = []Kind{kindAnthropic, kindOpenAI, kindGemini, kindOllama}

// Role is who said a Message.
type Role string

const (
	RoleUser      Role = "user"
	roleAssistant Role = "assistant"
)

// Message is one turn of the conversation; the system prompt is not a message but
// Request.System, because every provider carries it apart from the turns.
type Message struct {
	Role Role   `json:"role"`
	Text string `json:"text"`
}

// Request is what every provider is asked, in the same shape.
type Request struct {
	System   string
	Messages []Message
	// MaxTokens caps the answer; 0 takes the provider's configured max_tokens.
	MaxTokens int
	// Temperature is nil for the provider's default. Anthropic's current Messages API (SDK v2)
	// has no temperature any more, so it is not sent there.
	Temperature *float64
	// Schema, when set, asks for a JSON answer matching this JSON Schema (structured output);
	// SchemaName names it where the provider wants a name (OpenAI).
	Schema     map[string]any
	SchemaName string
}

// Usage is the token count of one call as the provider reported it.
type Usage struct {
	InputTokens  int64 `json:"input_tokens"`
	OutputTokens int64 `json:"output_tokens"`
}

// Add sums two usages.
func (u Usage) Add(v Usage) Usage {
	return Usage{InputTokens: u.InputTokens + v.InputTokens, OutputTokens: u.OutputTokens + v.OutputTokens}
}

// Response is one provider's whole answer; a streamed call returns it too, once the stream ends.
type Response struct {
	Text       string `json:"text"`
	Usage      Usage  `json:"usage"`
	Provider   string `json:"provider"` // the configuration's name for the provider that answered
	Kind       Kind   `json:"kind"`
	Model      string `json:"model"` // as the provider reported it, else as configured
	StopReason string `json:"stop_reason"`
}

// Stream receives the answer's text as it arrives. A nil Stream asks for one whole response.
type Stream func(delta string)

// Provider is one configured endpoint of one kind. Generate answers req (streaming into stream
// when it is not nil); Ping checks the endpoint and the key with the cheapest call it has.
// Errors from the endpoint are *APIError; a transport failure is returned as it is, wrapped
// with the provider's name.
type Provider interface {
	Name() string
	Kind() Kind
	Model() string
	Generate(ctx context.Context, req Request, stream Stream) (*Response, error)
	Ping(ctx context.Context) error
}

// Settings are a provider's limits, from its configuration entry.
type Settings struct {
	Timeout   time.Duration // one attempt, whole answer included
	Retries   int           // further attempts after the first, on retryable failures
	Backoff   time.Duration // wait before the first retry, doubled each time
	MaxWait   time.Duration // a longer wait (a Retry-After) moves on to the next provider
	MaxTokens int           // the default for Request.MaxTokens
}
