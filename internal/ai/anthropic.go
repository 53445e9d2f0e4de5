package ai

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
)

// claude speaks the Anthropic Messages API through Anthropic's official Go SDK, which keeps the
// request and stream-event types in step with the API. The SDK's own retries are off (the
// Client retries and falls back across providers, reporting each attempt) and so is its
// reading of ANTHROPIC_* variables: the key and base URL come from the hub's configuration only.
type claude struct {
	name, model string
	maxTokens   int
	client      anthropic.Client
}

func newClaude(name, model, base, key string, hc *http.Client, maxTokens int) *claude {
	opts := []option.RequestOption{
		option.WithoutEnvironmentDefaults(),
		option.WithAPIKey(key),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(0),
	}
	if base != "" {
		opts = append(opts, option.WithBaseURL(base))
	}
	return &claude{name: name, model: model, maxTokens: maxTokens, client: anthropic.NewClient(opts...)}
}

func (c *claude) Name() string  { return c.name }
func (c *claude) Kind() Kind    { return kindAnthropic }
func (c *claude) Model() string { return c.model }

func (c *claude) params(req Request) anthropic.MessageNewParams {
	p := anthropic.MessageNewParams{
		Model:     c.model,
		MaxTokens: int64(pickTokens(req.MaxTokens, c.maxTokens)),
	}
	if req.System != "" {
		p.System = []anthropic.TextBlockParam{{Text: req.System}}
	}
	for _, m := range req.Messages {
		if m.Role == roleAssistant {
			p.Messages = append(p.Messages, anthropic.NewAssistantMessage(anthropic.NewTextBlock(m.Text)))
		} else {
			p.Messages = append(p.Messages, anthropic.NewUserMessage(anthropic.NewTextBlock(m.Text)))
		}
	}
	if req.Schema != nil {
		p.OutputConfig.Format = anthropic.JSONOutputFormatParam{Schema: req.Schema}
	}
	return p
}

func (c *claude) Generate(ctx context.Context, req Request, stream Stream) (*Response, error) {
	params := c.params(req)
	var msg anthropic.Message
	if stream == nil {
		m, err := c.client.Messages.New(ctx, params)
		if err != nil {
			return nil, c.err(err)
		}
		msg = *m
	} else {
		s := c.client.Messages.NewStreaming(ctx, params)
		defer s.Close()
		for s.Next() {
			ev := s.Current()
			if err := msg.Accumulate(ev); err != nil {
				return nil, &streamError{Provider: c.name, Msg: err.Error()}
			}
			if ev.Type == "content_block_delta" && ev.Delta.Type == "text_delta" {
				stream(ev.Delta.Text)
			}
		}
		if err := s.Err(); err != nil {
			return nil, c.err(err)
		}
		// message_stop has no payload, but a stream cut before it leaves no stop_reason.
		if msg.StopReason == "" {
			return nil, &streamError{Provider: c.name, Msg: "stream ended before message_delta/message_stop"}
		}
	}
	out := &Response{Provider: c.name, Kind: kindAnthropic, Model: msg.Model, StopReason: string(msg.StopReason),
		Usage: Usage{InputTokens: msg.Usage.InputTokens + msg.Usage.CacheCreationInputTokens + msg.Usage.CacheReadInputTokens,
			OutputTokens: msg.Usage.OutputTokens}}
	if out.Model == "" {
		out.Model = c.model
	}
	var text strings.Builder
	for _, b := range msg.Content {
		if b.Type == "text" {
			text.WriteString(b.Text)
		}
	}
	out.Text = text.String()
	return out, nil
}

func (c *claude) Ping(ctx context.Context) error {
	_, err := c.client.Models.List(ctx, anthropic.ModelListParams{Limit: anthropic.Int(1)})
	return c.err(err)
}

// err turns the SDK's error into an *APIError (keeping transport errors as they are, named),
// without the request URL and headers the SDK's message carries.
func (c *claude) err(err error) error {
	if err == nil {
		return nil
	}
	var ae *anthropic.Error
	if errors.As(err, &ae) {
		typ, msg := errorBody([]byte(ae.RawJSON()))
		out := &apiError{Provider: c.name, Status: ae.StatusCode, Type: typ, Message: msg}
		if out.Status/100 == 2 { // an error event inside a 200 stream
			out.Status = 0
		}
		if ae.Response != nil {
			out.RetryAfter = retryAfter(ae.Response.Header, time.Now())
		}
		return out
	}
	if strings.HasPrefix(err.Error(), "received error while streaming") {
		return &apiError{Provider: c.name, Message: err.Error()}
	}
	return wrapRead(c.name, err)
}
