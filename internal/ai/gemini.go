package ai

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// gemini speaks the Gemini API's generateContent and streamGenerateContent?alt=sse with
// net/http: the official Go SDK (google.golang.org/genai) is not among the modules this
// project's machines can fetch, and the REST shapes are small and documented.
type gemini struct {
	name, model, base, key string
	hc                     *http.Client
	maxTokens              int
}

const geminiBase = "https://generativelanguage.googleapis.com"

func newGemini(name, model, base, key string, hc *http.Client, maxTokens int) *gemini {
	if base == "" {
		base = geminiBase
	}
	return &gemini{name: name, model: model, base: strings.TrimRight(base, "/"), key: key, hc: hc, maxTokens: maxTokens}
}

func (g *gemini) Name() string  { return g.name }
func (g *gemini) Kind() Kind    { return kindGemini }
func (g *gemini) Model() string { return g.model }

type geminiPart struct {
	Text    string `json:"text,omitempty"`
	Thought bool   `json:"thought,omitempty"`
}

type geminiContent struct {
	Role  string       `json:"role,omitempty"`
	Parts []geminiPart `json:"parts"`
}

type geminiRequest struct {
	SystemInstruction *geminiContent  `json:"systemInstruction,omitempty"`
	Contents          []geminiContent `json:"contents"`
	GenerationConfig  struct {
		MaxOutputTokens    int            `json:"maxOutputTokens,omitempty"`
		Temperature        *float64       `json:"temperature,omitempty"`
		ResponseMimeType   string         `json:"responseMimeType,omitempty"`
		ResponseJSONSchema map[string]any `json:"responseJsonSchema,omitempty"`
	} `json:"generationConfig"`
}

type geminiResponse struct {
	Candidates []struct {
		Content      geminiContent `json:"content"`
		FinishReason string        `json:"finishReason"`
	} `json:"candidates"`
	UsageMetadata *struct {
		PromptTokenCount     int64 `json:"promptTokenCount"`
		CandidatesTokenCount int64 `json:"candidatesTokenCount"`
		ThoughtsTokenCount   int64 `json:"thoughtsTokenCount"`
	} `json:"usageMetadata"`
	ModelVersion   string `json:"modelVersion"`
	PromptFeedback *struct {
		BlockReason string `json:"blockReason"`
	} `json:"promptFeedback"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
	} `json:"error"`
}

func (g *gemini) body(req Request) geminiRequest {
	var b geminiRequest
	if req.System != "" {
		b.SystemInstruction = &geminiContent{Parts: []geminiPart{{Text: req.System}}}
	}
	for _, m := range req.Messages {
		role := "user"
		if m.Role == roleAssistant {
			role = "model" // Gemini's name for the assistant's turns
		}
		b.Contents = append(b.Contents, geminiContent{Role: role, Parts: []geminiPart{{Text: m.Text}}})
	}
	b.GenerationConfig.MaxOutputTokens = pickTokens(req.MaxTokens, g.maxTokens)
	b.GenerationConfig.Temperature = req.Temperature
	if req.Schema != nil {
		b.GenerationConfig.ResponseMimeType = "application/json"
		b.GenerationConfig.ResponseJSONSchema = req.Schema
	}
	return b
}

func (g *gemini) header() http.Header {
	return http.Header{"X-Goog-Api-Key": {g.key}}
}

func (g *gemini) Generate(ctx context.Context, req Request, stream Stream) (*Response, error) {
	model := url.PathEscape(g.model)
	if stream == nil {
		resp, err := post(ctx, g.hc, g.name, g.base+"/v1beta/models/"+model+":generateContent", g.header(), g.body(req))
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var gr geminiResponse
		if err := json.NewDecoder(resp.Body).Decode(&gr); err != nil {
			return nil, &streamError{Provider: g.name, Msg: "response is not JSON: " + err.Error()}
		}
		out := &Response{Provider: g.name, Kind: kindGemini, Model: g.model}
		if err := g.add(out, &gr, nil); err != nil {
			return nil, err
		}
		if out.StopReason == "" {
			return nil, &streamError{Provider: g.name, Msg: "response has no candidate"}
		}
		return out, nil
	}
	resp, err := post(ctx, g.hc, g.name, g.base+"/v1beta/models/"+model+":streamGenerateContent?alt=sse", g.header(), g.body(req))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := &Response{Provider: g.name, Kind: kindGemini, Model: g.model}
	err = sseEvents(resp.Body, func(data []byte) error {
		var gr geminiResponse
		if err := json.Unmarshal(data, &gr); err != nil {
			return &streamError{Provider: g.name, Msg: fmt.Sprintf("event is not JSON: %v", err)}
		}
		return g.add(out, &gr, stream)
	})
	if err != nil {
		return nil, wrapRead(g.name, err)
	}
	// Gemini has no closing event: the last chunk carries finishReason, so a stream without
	// one was cut off.
	if out.StopReason == "" {
		return nil, &streamError{Provider: g.name, Msg: "stream ended before a finishReason"}
	}
	return out, nil
}

// add folds one GenerateContentResponse (the whole answer, or one chunk of a stream) into out.
func (g *gemini) add(out *Response, gr *geminiResponse, stream Stream) error {
	if gr.Error != nil {
		return &apiError{Provider: g.name, Status: gr.Error.Code, Type: gr.Error.Status, Message: gr.Error.Message}
	}
	if gr.PromptFeedback != nil && gr.PromptFeedback.BlockReason != "" && len(gr.Candidates) == 0 {
		return &apiError{Provider: g.name, Type: "blocked", Message: "prompt blocked: " + gr.PromptFeedback.BlockReason}
	}
	if gr.ModelVersion != "" {
		out.Model = gr.ModelVersion
	}
	if len(gr.Candidates) > 0 {
		c := gr.Candidates[0]
		for _, p := range c.Content.Parts {
			if p.Thought || p.Text == "" {
				continue // thought summaries are not the answer
			}
			out.Text += p.Text
			if stream != nil {
				stream(p.Text)
			}
		}
		if c.FinishReason != "" {
			out.StopReason = c.FinishReason
		}
	}
	if u := gr.UsageMetadata; u != nil {
		// Usage is cumulative in each chunk; the last one is the call's.
		out.Usage = Usage{InputTokens: u.PromptTokenCount, OutputTokens: u.CandidatesTokenCount + u.ThoughtsTokenCount}
	}
	return nil
}

func (g *gemini) Ping(ctx context.Context) error {
	resp, err := post(ctx, g.hc, g.name, g.base+"/v1beta/models/"+url.PathEscape(g.model), g.header(), nil)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}
