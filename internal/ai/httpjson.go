package ai

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// post sends body as JSON and returns the response of a 2xx answer; any other status becomes
// an *APIError with the provider's message and Retry-After. Keys travel in headers only, never
// in the URL, because net/http puts the URL into its errors.
func post(ctx context.Context, hc *http.Client, provider, url string, header http.Header, body any) (*http.Response, error) {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			return nil, fmt.Errorf("%s: encode request: %w", provider, err)
		}
	}
	method := http.MethodPost
	if body == nil {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, url, &buf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", provider, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", provider, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		typ, msg := errorBody(b)
		return nil, &apiError{Provider: provider, Status: resp.StatusCode, Type: typ, Message: msg,
			RetryAfter: retryAfter(resp.Header, time.Now())}
	}
	return resp, nil
}

// sseEvents calls fn with the data of each server-sent event in r (the lines after "data:",
// joined; comments and other fields are skipped), as the SSE spec frames them.
func sseEvents(r io.Reader, fn func(data []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 8<<20)
	var data []string
	flush := func() error {
		if len(data) == 0 {
			return nil
		}
		d := strings.Join(data, "\n")
		data = data[:0]
		return fn([]byte(d))
	}
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case line == "":
			if err := flush(); err != nil {
				return err
			}
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return flush()
}

func pickTokens(req, def int) int {
	if req > 0 {
		return req
	}
	if def > 0 {
		return def
	}
	return 1024
}

// wrapRead names the provider on an error that broke a stream while reading it (a reset
// connection, a deadline), keeping the ones that already name it.
func wrapRead(provider string, err error) error {
	switch err.(type) {
	case *apiError, *streamError:
		return err
	}
	// The SDKs hand back the JSON decoder's error for an event that is not JSON.
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	if errors.As(err, &se) || errors.As(err, &te) {
		return &streamError{Provider: provider, Msg: "event is not JSON: " + err.Error()}
	}
	return fmt.Errorf("%s: read stream: %w", provider, err)
}
