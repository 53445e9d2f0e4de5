package ai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options adjust New.
type Options struct {
	// Only restricts the client to these providers (names from the configuration), in the
	// configuration's order; empty keeps them all. This is how a run stays on Ollama.
	Only []string
	// Getenv reads key_env variables (default os.Getenv); ReadFile reads key files
	// (default os.ReadFile).
	Getenv   func(string) string
	ReadFile func(string) ([]byte, error)
	// HTTPClient carries every call (default a client without its own timeout: each attempt's
	// context bounds it).
	HTTPClient *http.Client
	// OnAttempt is called as each attempt ends, for live progress. Its Err is redacted.
	OnAttempt func(Attempt)
}

// Client asks the configured providers in order, retrying and falling back, and keeps the
// run's token usage and cost. It is safe for concurrent use.
type Client struct {
	entries   []entry
	deadline  time.Duration
	prices    map[string]Price
	redact    *Redactor
	onAttempt func(Attempt)

	mu    sync.Mutex
	total Total
}

type entry struct {
	p   Provider
	cfg ProviderConfig
	key KeySource
	has bool // a key was found (or none is needed)
}

// Attempt is one call to one provider, as reported.
type Attempt struct {
	Provider string        `json:"provider"`
	Model    string        `json:"model"`
	N        int           `json:"attempt"` // 1 for the first call to this provider
	Outcome  Outcome       `json:"outcome"`
	Status   int           `json:"http_status,omitempty"`
	Duration time.Duration `json:"-"`
	Wait     time.Duration `json:"-"` // slept after it before the next attempt (0: moved on)
	Err      string        `json:"error,omitempty"`
}

// Result is the outcome of one Generate: the answer (nil when no provider gave one), every
// attempt, and the call's cost.
type Result struct {
	Response *Response `json:"response"`
	Attempts []Attempt `json:"attempts"`
	Cost     float64   `json:"cost_usd"`
	Priced   bool      `json:"priced"` // the model has a price in the configuration
}

// Total is the usage and cost of every call of a run.
type Total struct {
	Calls    int     `json:"calls"`
	Usage    Usage   `json:"usage"`
	Cost     float64 `json:"cost_usd"`
	Unpriced int     `json:"unpriced_calls"` // answered by models without a price (not in Cost)
}

// New builds the providers of cfg with their keys. A provider whose key is missing stays in
// the order and is reported as "no-key" when its turn comes, so ai:providers can show it.
func New(cfg *Config, opts Options) (*Client, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.ReadFile == nil {
		opts.ReadFile = readFile
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	for _, n := range opts.Only {
		if _, ok := cfg.provider(n); !ok {
			return nil, fmt.Errorf("%s: no provider %q (providers: %s)", cfg.File, n, strings.Join(cfg.names(), ", "))
		}
	}
	c := &Client{deadline: cfg.Deadline, prices: cfg.Prices, redact: &Redactor{}, onAttempt: opts.OnAttempt}
	for _, pc := range cfg.Providers {
		if len(opts.Only) > 0 && !slices.Contains(opts.Only, pc.Name) {
			continue
		}
		key, src, err := readKey(pc, opts.Getenv, opts.ReadFile)
		if err != nil {
			return nil, err
		}
		c.redact.Add(key)
		e := entry{cfg: pc, key: src, has: key != "" || pc.Kind == kindOllama}
		if pc.Kind == kindOllama && src.Kind == "none" && pc.KeyFile == "" && pc.KeyEnv == "" {
			e.key = KeySource{Kind: "none"}
		}
		switch pc.Kind {
		case kindAnthropic:
			e.p = newClaude(pc.Name, pc.Model, pc.URL, key, hc, pc.MaxTokens)
		case kindOpenAI:
			e.p = newGPT(pc.Name, pc.Model, pc.URL, key, hc, pc.MaxTokens)
		case kindGemini:
			e.p = newGemini(pc.Name, pc.Model, pc.URL, key, hc, pc.MaxTokens)
		case kindOllama:
			e.p = newOllama(pc.Name, pc.Model, pc.URL, hc, pc.MaxTokens)
		}
		c.entries = append(c.entries, e)
	}
	return c, nil
}

// Names lists the client's providers in the order they are asked.
func (c *Client) Names() []string {
	var n []string
	for _, e := range c.entries {
		n = append(n, e.cfg.Name)
	}
	return n
}

// Redactor is the client's, for callers that print text which may hold provider output.
func (c *Client) Redactor() *Redactor { return c.redact }

// Total is the run's usage and cost so far.
func (c *Client) Total() Total {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// Generate asks the providers in order until one answers. A provider is tried again after a
// timeout, a 429, a 5xx or an unreachable endpoint, waiting its backoff (doubled each time)
// or the Retry-After it sent, as long as the wait is within its max_wait and the deadline;
// then the next provider is asked. Any other failure moves on at once. A streamed answer that
// breaks after text was shown is not retried: the reader has already seen part of it.
func (c *Client) Generate(ctx context.Context, req Request, stream Stream) (*Result, error) {
	if c.deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.deadline)
		defer cancel()
	}
	// A key pasted into a log that ai:explain sends must not leave either.
	req.System = c.redact.Redact(req.System)
	req.Messages = append([]Message(nil), req.Messages...)
	for i := range req.Messages {
		req.Messages[i].Text = c.redact.Redact(req.Messages[i].Text)
	}
	res := &Result{}
	var reasons []string
	for _, e := range c.entries {
		resp, why, final := c.try(ctx, e, req, stream, res)
		if resp != nil {
			res.Response = resp
			c.charge(e, res)
			return res, nil
		}
		reasons = append(reasons, why)
		if final {
			break
		}
	}
	if len(c.entries) == 0 {
		return res, errors.New("ai: no provider configured")
	}
	return res, fmt.Errorf("ai: no provider answered (%s); see go tool mage ai:providers", strings.Join(reasons, "; "))
}

// try runs the attempts at one provider. It returns the answer, or why there is none and
// whether asking the next provider is pointless (cancelled, deadline, a half-shown stream).
func (c *Client) try(ctx context.Context, e entry, req Request, stream Stream, res *Result) (*Response, string, bool) {
	name := e.cfg.Name
	if !e.has {
		a := Attempt{Provider: name, Model: e.cfg.Model, N: 1, Outcome: outcomeNoKey, Err: "no API key: " + e.key.From}
		c.report(res, a)
		return nil, name + ": no key", false
	}
	for n := 1; ; n++ {
		actx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
		shown := false
		var s Stream
		if stream != nil {
			s = func(d string) { shown = true; stream(d) }
		}
		start := time.Now()
		resp, err := e.p.Generate(actx, req, s)
		outcome, retry := classify(err, actx, ctx)
		cancel()
		a := Attempt{Provider: name, Model: e.cfg.Model, N: n, Outcome: outcome, Duration: time.Since(start)}
		if err == nil {
			c.report(res, a)
			return resp, "", false
		}
		a.Err = c.redact.Redact(err.Error())
		var ae *apiError
		if errors.As(err, &ae) {
			a.Status = ae.Status
		}
		if outcome == outcomeTimeout && actx.Err() != nil {
			a.Err = fmt.Sprintf("%s: no answer within %s", name, e.cfg.Timeout)
		}
		if outcome == outcomeCancelled {
			c.report(res, a)
			return nil, name + ": " + cancelReason(ctx), true
		}
		if shown {
			a.Err += " (after part of the answer was shown)"
			c.report(res, a)
			return nil, a.Err, true
		}
		wait := time.Duration(0)
		if retry && n <= e.cfg.Retries {
			wait = e.cfg.Backoff << (n - 1)
			if ae != nil && ae.RetryAfter > 0 {
				wait = ae.RetryAfter // the provider knows when it will take the call
			}
			if wait > e.cfg.MaxWait {
				wait, retry = 0, false
				a.Err += fmt.Sprintf("; wait over max_wait %s, next provider", e.cfg.MaxWait)
			} else if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
				wait, retry = 0, false
				a.Err += "; wait past the deadline, next provider"
			}
		} else {
			retry = false
		}
		a.Wait = wait
		c.report(res, a)
		if !retry {
			return nil, fmt.Sprintf("%s: %s", name, lastWords(a)), false
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, name + ": " + cancelReason(ctx), true
		case <-t.C:
		}
	}
}

func lastWords(a Attempt) string {
	if a.Status != 0 {
		return fmt.Sprintf("%s (HTTP %d) after %d attempt(s)", a.Outcome, a.Status, a.N)
	}
	return fmt.Sprintf("%s after %d attempt(s)", a.Outcome, a.N)
}

func cancelReason(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "total deadline reached"
	}
	return "cancelled"
}

func (c *Client) report(res *Result, a Attempt) {
	res.Attempts = append(res.Attempts, a)
	if c.onAttempt != nil {
		c.onAttempt(a)
	}
}

func (c *Client) charge(e entry, res *Result) {
	price, ok := c.prices[e.cfg.Model]
	if !ok {
		price, ok = c.prices[res.Response.Model]
	}
	if e.cfg.Kind == kindOllama && !ok {
		price, ok = Price{}, true // local: costs nothing but power
	}
	res.Priced = ok
	res.Cost = price.cost(res.Response.Usage)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total.Calls++
	c.total.Usage = c.total.Usage.Add(res.Response.Usage)
	c.total.Cost += res.Cost
	if !ok {
		c.total.Unpriced++
	}
}

// Status is one provider as ai:providers shows it.
type Status struct {
	Name      string        `json:"name"`
	Kind      Kind          `json:"kind"`
	Model     string        `json:"model"`
	URL       string        `json:"url"`
	Key       KeySource     `json:"key"`
	Reachable bool          `json:"reachable"`
	Latency   time.Duration `json:"-"`
	Err       string        `json:"error,omitempty"`
}

// Check pings every provider in parallel (each within its timeout) and returns them in order.
func (c *Client) Check(ctx context.Context) []Status {
	out := make([]Status, len(c.entries))
	var wg sync.WaitGroup
	for i, e := range c.entries {
		out[i] = Status{Name: e.cfg.Name, Kind: e.cfg.Kind, Model: e.cfg.Model, URL: endpoint(e.cfg), Key: e.key}
		if !e.has {
			out[i].Err = "no API key: " + e.key.From
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			actx, cancel := context.WithTimeout(ctx, min(e.cfg.Timeout, 15*time.Second))
			defer cancel()
			start := time.Now()
			err := e.p.Ping(actx)
			out[i].Latency = time.Since(start)
			if err != nil {
				if actx.Err() != nil {
					err = fmt.Errorf("%s: no answer within %s", e.cfg.Name, min(e.cfg.Timeout, 15*time.Second))
				}
				out[i].Err = c.redact.Redact(err.Error())
				return
			}
			out[i].Reachable = true
		}()
	}
	wg.Wait()
	return out
}

func endpoint(p ProviderConfig) string {
	if p.URL != "" {
		return p.URL
	}
	switch p.Kind {
	case kindAnthropic:
		return "https://api.anthropic.com"
	case kindOpenAI:
		return strings.TrimSuffix(openaiBase, "/")
	case kindGemini:
		return geminiBase
	}
	return "http://127.0.0.1:11434"
}
