package ai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// apiError is an error answer of a provider's API: an HTTP status with the provider's own
// message, or an error event in the middle of a stream (Status 0 unless the event names one).
type apiError struct {
	Provider   string
	Status     int
	Type       string        // the provider's error type or status word (rate_limit_error, RESOURCE_EXHAUSTED)
	Message    string        // the provider's message, as sent
	RetryAfter time.Duration // from the Retry-After header; 0 when there is none
}

func (e *apiError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", e.Provider)
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d", e.Status)
	} else {
		b.WriteString("error in stream")
	}
	if e.Type != "" {
		fmt.Fprintf(&b, " %s", e.Type)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", oneLine(e.Message, 300))
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// streamError is a stream that broke the provider's format: a malformed event, or an end
// before the provider's closing event.
type streamError struct {
	Provider string
	Msg      string
}

func (e *streamError) Error() string { return e.Provider + ": malformed stream: " + e.Msg }

// Outcome is how an attempt ended, as reported per attempt.
type Outcome string

const (
	OutcomeOK          Outcome = "ok"
	outcomeTimeout     Outcome = "timeout"
	outcomeUnreachable Outcome = "unreachable"
	outcomeRateLimited Outcome = "rate-limited" // 429
	outcomeServer      Outcome = "server-error" // 5xx, 529 overloaded, an overloaded event in a stream
	outcomeRejected    Outcome = "rejected"     // 4xx other than 408 and 429: the request or the key
	outcomeBadStream   Outcome = "bad-response" // malformed or cut-off answer
	outcomeNoKey       Outcome = "no-key"
	outcomeCancelled   Outcome = "cancelled" // the caller's context (Ctrl-C, total deadline)
	outcomeFailed      Outcome = "failed"
)

// classify tells how err ended an attempt whose own context is attemptCtx, and whether the same
// provider is worth another try.
func classify(err error, attemptCtx, parent context.Context) (Outcome, bool) {
	if err == nil {
		return OutcomeOK, false
	}
	if parent.Err() != nil {
		return outcomeCancelled, false
	}
	if attemptCtx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return outcomeTimeout, true
	}
	var ae *apiError
	if errors.As(err, &ae) {
		switch {
		case ae.Status == http.StatusTooManyRequests:
			return outcomeRateLimited, true
		case ae.Status == http.StatusRequestTimeout:
			return outcomeTimeout, true
		case ae.Status >= 500:
			return outcomeServer, true
		case ae.Status == 0 && isOverload(ae.Type):
			return outcomeServer, true
		case ae.Status == 0 && isRateLimit(ae.Type):
			return outcomeRateLimited, true
		case ae.Status == 0:
			return outcomeFailed, false
		}
		return outcomeRejected, false
	}
	var se *streamError
	if errors.As(err, &se) {
		return outcomeBadStream, false
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) || errors.As(err, &ne) {
		if ne != nil && ne.Timeout() {
			return outcomeTimeout, true
		}
		return outcomeUnreachable, true
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return outcomeUnreachable, true
	}
	return outcomeFailed, false
}

func isOverload(t string) bool {
	return t == "overloaded_error" || t == "api_error" || t == "UNAVAILABLE" || t == "INTERNAL" || t == "server_error"
}

func isRateLimit(t string) bool { return t == "rate_limit_error" || t == "RESOURCE_EXHAUSTED" }

// retryAfter reads a Retry-After header: seconds or an HTTP date (RFC 9110 10.2.3).
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// errorBody pulls type and message out of an error body of any of the four providers:
// {"error":{"type","message"}} (Anthropic, OpenAI), {"error":{"code","message","status"}}
// (Gemini), {"error":"..."} (Ollama). A body that is none of these is kept, trimmed.
func errorBody(body []byte) (typ, msg string) {
	var v struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &v) == nil && len(v.Error) > 0 {
		var s string
		if json.Unmarshal(v.Error, &s) == nil {
			return "", s
		}
		var o struct {
			Type    string `json:"type"`
			Status  string `json:"status"`
			Code    any    `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(v.Error, &o) == nil {
			t := o.Type
			if t == "" {
				t = o.Status
			}
			return t, o.Message
		}
	}
	return "", oneLine(string(body), 200)
}

// oneLine keeps error text on one line and bounded: a provider's HTML error page must not
// flood a summary table.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
