package ai

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// reply is one recorded answer a replay server sends: a testdata file in the provider's wire
// format with its status and headers, optionally slow.
type reply struct {
	status int
	file   string // under testdata/; "" for an empty body
	header map[string]string
	delay  time.Duration // before the status line
	pace   time.Duration // between stream events (SSE) or lines (NDJSON)
}

// seen is one request the server received.
type seen struct {
	method, path, query string
	header              http.Header
	body                []byte
}

// replay is a loopback HTTP server that answers each request with the next reply (the last
// one repeats) and keeps what it was sent.
type replay struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	replies []reply
	got     []seen
}

func newReplay(t *testing.T, replies ...reply) *replay {
	t.Helper()
	r := &replay{t: t, replies: replies}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve)) // listens on 127.0.0.1
	t.Cleanup(r.srv.Close)
	return r
}

func (r *replay) URL() string { return r.srv.URL }

func (r *replay) requests() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.got...)
}

func (r *replay) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.got = append(r.got, seen{method: req.Method, path: req.URL.Path, query: req.URL.RawQuery, header: req.Header.Clone(), body: body})
	n := len(r.got) - 1
	if n >= len(r.replies) {
		n = len(r.replies) - 1
	}
	rep := r.replies[n]
	r.mu.Unlock()

	if rep.delay > 0 {
		select {
		case <-time.After(rep.delay):
		case <-req.Context().Done():
			return
		}
	}
	var data []byte
	if rep.file != "" {
		var err error
		data, err = os.ReadFile(filepath.Join("testdata", rep.file))
		if err != nil {
			r.t.Errorf("replay: %v", err)
			w.WriteHeader(599)
			return
		}
	}
	switch {
	case strings.HasSuffix(rep.file, ".sse"):
		w.Header().Set("Content-Type", "text/event-stream")
	case strings.HasSuffix(rep.file, ".ndjson"):
		w.Header().Set("Content-Type", "application/x-ndjson")
	default:
		w.Header().Set("Content-Type", "application/json")
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	status := rep.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if rep.pace == 0 {
		w.Write(data)
		return
	}
	// A slow stream: one event (SSE: up to a blank line) or one line (NDJSON) at a time.
	sep := []byte("\n")
	if strings.HasSuffix(rep.file, ".sse") {
		sep = []byte("\n\n")
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Split(func(b []byte, atEOF bool) (int, []byte, error) {
		if i := bytes.Index(b, sep); i >= 0 {
			return i + len(sep), b[:i+len(sep)], nil
		}
		if atEOF && len(b) > 0 {
			return len(b), b, nil
		}
		return 0, nil, nil
	})
	for sc.Scan() {
		w.Write(sc.Bytes())
		w.(http.Flusher).Flush()
		select {
		case <-time.After(rep.pace):
		case <-req.Context().Done():
			return
		}
	}
}
