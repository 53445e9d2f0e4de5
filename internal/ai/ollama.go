package ai

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ollama speaks Ollama's native /api/chat with net/http. Its Go package
// (github.com/ollama/ollama/api) lives in the server's module, so importing it would pull the
// whole server's dependencies into the hub for a dozen fields; the native API (rather than its
// OpenAI-compatible /v1) is used because it reports the token counts of a streamed answer and
// takes a JSON schema as "format".
type ollama struct {
	name, model, base string
	hc                *http.Client
	maxTokens         int
}

func newOllama(name, model, base string, hc *http.Client, maxTokens int) *ollama {
	if base == "" {
		base = "http://127.0.0.1:11434"
	}
	return &ollama{name: name, model: model, base: strings.TrimRight(base, "/"), hc: hc, maxTokens: maxTokens}
}

func (o *ollama) Name() string  { return o.name }
func (o *ollama) Kind() Kind    { return kindOllama }
func (o *ollama) Model() string { return o.model }

type ollamaMessage struct {
	Role     string `json:"role"`
	Content  string `json:"content"`
	Thinking string `json:"thinking,omitempty"`
}

type ollamaRequest struct {
	Model    string          `json:"model"`
	Messages []ollamaMessage `json:"messages"`
	Stream   bool            `json:"stream"`
	Format   map[string]any  `json:"format,omitempty"`
	Options  struct {
		Temperature *float64 `json:"temperature,omitempty"`
		NumPredict  int      `json:"num_predict,omitempty"`
	} `json:"options"`
}

type ollamaChunk struct {
	Model           string        `json:"model"`
	Message         ollamaMessage `json:"message"`
	Done            bool          `json:"done"`
	DoneReason      string        `json:"done_reason"`
	PromptEvalCount int64         `json:"prompt_eval_count"`
	EvalCount       int64         `json:"eval_count"`
	Error           string        `json:"error"`
}

func (o *ollama) Generate(ctx context.Context, req Request, stream Stream) (*Response, error) {
	body := ollamaRequest{Model: o.model, Stream: stream != nil, Format: req.Schema}
	if req.System != "" {
		body.Messages = append(body.Messages, ollamaMessage{Role: "system", Content: req.System})
	}
	for _, m := range req.Messages {
		body.Messages = append(body.Messages, ollamaMessage{Role: string(m.Role), Content: m.Text})
	}
	body.Options.Temperature = req.Temperature
	body.Options.NumPredict = pickTokens(req.MaxTokens, o.maxTokens)
	resp, err := post(ctx, o.hc, o.name, o.base+"/api/chat", nil, body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := &Response{Provider: o.name, Kind: kindOllama, Model: o.model}
	// Streamed or not, the answer is NDJSON objects of one shape: a whole answer is one line.
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 8<<20)
	done := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c ollamaChunk
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return nil, &streamError{Provider: o.name, Msg: fmt.Sprintf("line is not JSON: %v", err)}
		}
		if c.Error != "" {
			return nil, &apiError{Provider: o.name, Message: c.Error}
		}
		if c.Model != "" {
			out.Model = c.Model
		}
		if t := c.Message.Content; t != "" {
			out.Text += t
			if stream != nil {
				stream(t)
			}
		}
		if c.Done {
			done = true
			out.StopReason = c.DoneReason
			out.Usage = Usage{InputTokens: c.PromptEvalCount, OutputTokens: c.EvalCount}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, wrapRead(o.name, err)
	}
	if !done {
		return nil, &streamError{Provider: o.name, Msg: `answer ended before "done": true`}
	}
	return out, nil
}

func (o *ollama) Ping(ctx context.Context) error {
	resp, err := post(ctx, o.hc, o.name, o.base+"/api/version", nil, nil)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}
