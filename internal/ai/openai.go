package ai

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/shared"
)

// gpt speaks OpenAI's Chat Completions through OpenAI's official Go SDK. Chat Completions
// rather than Responses because every OpenAI-compatible server (vLLM, llama.cpp, Ollama's /v1,
// gateways) implements it, so one kind covers them with base_url. The SDK's retries are off;
// the key and base URL are always passed explicitly, so they win over OPENAI_* variables.
type gpt struct {
	name, model string
	maxTokens   int
	client      openai.Client
}

const openaiBase = "https://api.openai.com/v1/"

func newGPT(name, model, base, key string, hc *http.Client, maxTokens int) *gpt {
	if base == "" {
		base = openaiBase
	}
	return &gpt{name: name, model: model, maxTokens: maxTokens, client: openai.NewClient(
		option.WithAPIKey(key),
		option.WithBaseURL(base),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(0),
	)}
}

func (g *gpt) Name() string  { return g.name }
func (g *gpt) Kind() Kind    { return kindOpenAI }
func (g *gpt) Model() string { return g.model }

func (g *gpt) params(req Request, streaming bool) openai.ChatCompletionNewParams {
	p := openai.ChatCompletionNewParams{
		Model:               g.model,
		MaxCompletionTokens: openai.Int(int64(pickTokens(req.MaxTokens, g.maxTokens))),
	}
	if req.System != "" {
		p.Messages = append(p.Messages, openai.SystemMessage(req.System))
	}
	for _, m := range req.Messages {
		if m.Role == roleAssistant {
			p.Messages = append(p.Messages, openai.AssistantMessage(m.Text))
		} else {
			p.Messages = append(p.Messages, openai.UserMessage(m.Text))
		}
	}
	if req.Temperature != nil {
		p.Temperature = openai.Float(*req.Temperature)
	}
	if req.Schema != nil {
		name := req.SchemaName
		if name == "" {
			name = "answer"
		}
		p.ResponseFormat.OfJSONSchema = &shared.ResponseFormatJSONSchemaParam{
			JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: name, Schema: req.Schema, Strict: openai.Bool(true)},
		}
	}
	if streaming {
		// Without it a streamed answer reports no usage, and its cost could not be counted.
		p.StreamOptions.IncludeUsage = openai.Bool(true)
	}
	return p
}

func (g *gpt) Generate(ctx context.Context, req Request, stream Stream) (*Response, error) {
	var cc openai.ChatCompletion
	if stream == nil {
		r, err := g.client.Chat.Completions.New(ctx, g.params(req, false))
		if err != nil {
			return nil, g.err(err)
		}
		cc = *r
	} else {
		s := g.client.Chat.Completions.NewStreaming(ctx, g.params(req, true))
		defer s.Close()
		var acc openai.ChatCompletionAccumulator
		for s.Next() {
			chunk := s.Current()
			if !acc.AddChunk(chunk) {
				return nil, &streamError{Provider: g.name, Msg: "chunks out of order"}
			}
			if len(chunk.Choices) > 0 && chunk.Choices[0].Delta.Content != "" {
				stream(chunk.Choices[0].Delta.Content)
			}
		}
		if err := s.Err(); err != nil {
			return nil, g.err(err)
		}
		cc = acc.ChatCompletion
	}
	if len(cc.Choices) == 0 || cc.Choices[0].FinishReason == "" {
		// The last content chunk carries finish_reason; without it the stream was cut.
		return nil, &streamError{Provider: g.name, Msg: "answer ended before a finish_reason"}
	}
	ch := cc.Choices[0]
	if ch.Message.Refusal != "" && ch.Message.Content == "" {
		return nil, &apiError{Provider: g.name, Type: "refusal", Message: ch.Message.Refusal}
	}
	model := cc.Model
	if model == "" {
		model = g.model
	}
	return &Response{Provider: g.name, Kind: kindOpenAI, Model: model, Text: ch.Message.Content,
		StopReason: ch.FinishReason,
		Usage:      Usage{InputTokens: cc.Usage.PromptTokens, OutputTokens: cc.Usage.CompletionTokens}}, nil
}

func (g *gpt) Ping(ctx context.Context) error {
	_, err := g.client.Models.List(ctx)
	return g.err(err)
}

func (g *gpt) err(err error) error {
	if err == nil {
		return nil
	}
	var ae *openai.Error
	if errors.As(err, &ae) {
		// The SDK decodes the body's "error" object into the fields.
		typ, msg := ae.Type, ae.Message
		if msg == "" {
			typ, msg = errorBody([]byte(ae.RawJSON()))
		}
		out := &apiError{Provider: g.name, Status: ae.StatusCode, Type: typ, Message: msg}
		if ae.Response != nil {
			out.RetryAfter = retryAfter(ae.Response.Header, time.Now())
		}
		return out
	}
	var se *ssestream.StreamError
	if errors.As(err, &se) {
		typ, msg := errorBody(se.Event.Data)
		if msg == "" {
			msg = strings.TrimPrefix(se.Message, "received error while streaming: ")
		}
		return &apiError{Provider: g.name, Type: typ, Message: msg}
	}
	return wrapRead(g.name, err)
}
