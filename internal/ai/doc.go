// Package ai is the hub's one client for four AI providers: the Anthropic Messages API,
// OpenAI Chat Completions (and servers compatible with it), Google Gemini generateContent and
// Ollama /api/chat. Every provider takes the same Request (system prompt, messages, max tokens,
// temperature, an optional JSON Schema for structured output) and gives the same Response
// (text, token usage, the provider and model that answered), whole or streamed.
//
// Entry points:
//
//	cfg, err := ai.LoadConfig("hosts/ai.toml")       // providers in fallback order, prices
//	c, err := ai.New(cfg, ai.Options{Only: []string{"ollama"}})
//	res, err := c.Generate(ctx, ai.Request{System: "...", Messages: msgs}, func(d string) {
//		os.Stdout.WriteString(d) // streamed text; nil asks for one whole answer
//	})
//	ai.WriteAttempts(os.Stdout, res.Attempts)        // every attempt, how it ended
//	ai.WriteSummary(os.Stdout, res, c.Total())       // tokens and cost of the call and the run
//	st := c.Check(ctx)                               // ai:providers: reachability and latency
//
// Client.Generate asks the providers in the configuration's order. A timeout, a 429, a 5xx
// (529 included) or an unreachable endpoint is retried with doubling backoff, or after the
// Retry-After the provider sent, while the wait fits the provider's max_wait and the total
// deadline; then, as after any other failure, the next provider is asked. Each attempt has
// the provider's timeout through its context; the whole question has the configuration's
// deadline. Every attempt is returned and, through Options.OnAttempt, reported as it ends.
//
// Keys are read from agenix secret files (/run/agenix/...) or environment variables named in
// the configuration, never from flags or the configuration itself. They travel in request
// headers only, and every string the package hands out (errors, attempts, statuses, JSON) is
// passed through a Redactor that replaces them, since providers echo request fragments.
//
// Why each wire client is what it is:
//   - Anthropic: the official SDK, github.com/anthropics/anthropic-sdk-go/v2. It tracks the
//     API's types and stream events; its retries and its ANTHROPIC_* environment reading are
//     switched off so this package decides both. The v2 API has no temperature, so
//     Request.Temperature is not sent there.
//   - OpenAI: the official SDK, github.com/openai/openai-go/v3, on Chat Completions (not
//     Responses) because every OpenAI-compatible server implements it; retries off, key and
//     base URL always explicit.
//   - Gemini: net/http on the documented REST shapes (generateContent, and
//     streamGenerateContent?alt=sse). The official google.golang.org/genai is not among the
//     modules this project's machines can fetch; the key goes in x-goog-api-key, not ?key=,
//     so it never appears in a URL that an error would print.
//   - Ollama: net/http on the native /api/chat (NDJSON). Its Go package lives inside the
//     server's module and would pull the server's dependencies in; the native API, unlike
//     its /v1 compatibility layer, reports a stream's token counts and takes a schema as format.
//
// The tests replay each provider's documented wire format (testdata/<provider>/) from
// loopback servers: answers, streams, structured output, error bodies for 400 to 529, broken
// and slow streams.
package ai
