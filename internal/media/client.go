package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/nixos-hub/hub/internal/exporter"
)

// Size caps of response bodies, chosen per endpoint by what the endpoint returns (the recorded
// replies in testdata are 0.1-16 KB). A server answering far more, such as a misconfigured URL
// pointing at a file server or a proxy's error page streamed forever, must cost at most the cap:
// a body announced larger is refused before it is read, and one that grows past it is cut off.
// A top-level list is decoded entry by entry, so its cap bounds only what is read; an object is
// read whole before it is decoded (its buffer doubling up to the cap), so objects get the
// smaller caps.
const (
	// capSmall: a fixed-size object (status, identity, counts, a page of one record) or a short
	// list of small entries (health checks, disks: a few hundred bytes each, dozens at most).
	capSmall = 256 << 10
	// capList: a top-level list that grows with use or configuration, a few KB per entry
	// (Jellyfin's sessions and libraries, root folders with their unmapped folders).
	capList = 4 << 20
	// capSessions: an object holding the sessions playing now (Plex, Tautulli: 1.5-2.7 KB per
	// session, so hundreds of them) or the libraries of a server.
	capSessions = 1 << 20
	// capPage: a 200-record page of the *arr queue, about 1.3-3 KB per record.
	capPage = 2 << 20
	// capIndexers: Prowlarr's indexers carry their whole settings schema, 1-20 KB each.
	capIndexers = 8 << 20
	// capErrorBody: what is read of an error reply, for its first words.
	capErrorBody = 4 << 10
)

// tooLargeError is a response body beyond its endpoint's cap.
type tooLargeError struct {
	Limit int64
	// Announced is the Content-Length that was refused unread; 0 when the body grew past Limit.
	Announced int64
}

func (e *tooLargeError) Error() string {
	if e.Announced > 0 {
		return fmt.Sprintf("response of %d bytes announced, larger than the %d this endpoint needs: not read", e.Announced, e.Limit)
	}
	return fmt.Sprintf("response larger than the %d bytes this endpoint needs: cut off", e.Limit)
}

// cappedReader passes at most limit bytes and then fails with a tooLargeError, rather than
// ending quietly like io.LimitReader, so a cut body is never decoded as if it were complete.
type cappedReader struct {
	r           io.Reader
	left, limit int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		if n, err := c.r.Read(one[:]); n > 0 {
			return 0, &tooLargeError{Limit: c.limit}
		} else {
			return 0, err
		}
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// client performs authenticated GETs against one instance. It knows the credential, so it is
// also the one place that makes sure the credential never leaves in an error.
type client struct {
	inst   Instance
	secret exporter.Secret
	http   *http.Client
}

// newClient is the client of one instance. Its HTTP client is a copy of hc (sharing the
// transport) with the redirect policy set, whatever client the caller gave.
func newClient(inst Instance, secret exporter.Secret, hc *http.Client) *client {
	own := *hc
	own.CheckRedirect = sameOrigin
	return &client{inst: inst, secret: secret, http: &own}
}

// endpoint is a request path plus query. Its String is what errors show, so it must never
// contain the credential: Tautulli's apikey is added only when the request is built.
type endpoint struct {
	path  string
	query url.Values
}

func (e endpoint) String() string {
	if len(e.query) == 0 {
		return e.path
	}
	return e.path + "?" + e.query.Encode()
}

func ep(path string, kv ...string) endpoint {
	e := endpoint{path: path}
	if len(kv) > 0 {
		e.query = url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			e.query.Set(kv[i], kv[i+1])
		}
	}
	return e
}

// statusError is a non-2xx reply.
type statusError struct {
	Code int
}

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.Code, http.StatusText(e.Code))
}

// get fetches e and hands its body, at most limit bytes, to read as it arrives. Errors read
// "<app> <name>: GET <endpoint>: <cause>".
func (c *client) get(ctx context.Context, e endpoint, limit int64, read func(io.Reader) error) error {
	if err := c.do(ctx, e, limit, read); err != nil {
		return fmt.Errorf("%s %s: GET %s: %w", c.inst.App, c.inst.Name, e, err)
	}
	return nil
}

func (c *client) do(ctx context.Context, e endpoint, limit int64, read func(io.Reader) error) error {
	u := c.inst.URL.JoinPath(e.path)
	q := url.Values{}
	for k, v := range e.query {
		q[k] = v
	}
	header := http.Header{}
	c.inst.App.spec().auth(header, q, c.secret.Reveal())
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return errors.New("build request")
	}
	req.Header = header
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "hub-media-exporter")
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error repeats the full URL, which for Tautulli carries the key: keep only the cause.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return c.redact(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return fmt.Errorf("%w: the server rejected the credential, check the %s %s",
			&statusError{Code: resp.StatusCode}, c.inst.App.credentialWord(), c.inst.CredentialFile)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Only the start is read: it usually says what went wrong ("database is locked").
		head, _ := io.ReadAll(io.LimitReader(resp.Body, capErrorBody))
		if snippet := c.snippet(head); snippet != "" {
			return fmt.Errorf("%w: %s", &statusError{Code: resp.StatusCode}, snippet)
		}
		return &statusError{Code: resp.StatusCode}
	}
	if resp.ContentLength > limit {
		return &tooLargeError{Limit: limit, Announced: resp.ContentLength}
	}
	if err := read(&cappedReader{r: resp.Body, left: limit, limit: limit}); err != nil {
		if tl, ok := errors.AsType[*tooLargeError](err); ok {
			return tl
		}
		return c.redact(fmt.Errorf("decode: %w", err))
	}
	// The rest is white space at most (the decoder checked): read it so the connection is reused.
	io.Copy(io.Discard, io.LimitReader(resp.Body, capErrorBody))
	return nil
}

// maxRedirects bounds the same-origin redirects followed (a trailing slash, a base path).
const maxRedirects = 3

// sameOrigin is the redirect policy of every request: follow only to the same scheme and host,
// and never with a Referer. Go strips Authorization on a redirect to another host but re-sends
// X-Api-Key and X-Plex-Token, and the Referer would carry Tautulli's apikey query: an SSO proxy
// that sends unauthenticated API calls to its login host would receive the keys.
func sameOrigin(req *http.Request, via []*http.Request) error {
	from := via[0].URL
	if req.URL.Scheme != from.Scheme || req.URL.Host != from.Host {
		return fmt.Errorf("redirected to %s://%s, another origin: not followed, the credential would go there; set the instance's url to the service itself", req.URL.Scheme, req.URL.Host)
	}
	if len(via) > maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	req.Header.Del("Referer")
	return nil
}

// snippet is the start of an error body, which usually says what went wrong ("database is
// locked"), with the credential removed in case the server echoes the request.
func (c *client) snippet(body []byte) string {
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200]
	}
	s = strings.ToValidUTF8(s, "")
	s = c.scrub(s)
	return strings.Join(strings.Fields(s), " ")
}

func (c *client) scrub(s string) string {
	key := c.secret.Reveal()
	if key == "" {
		return s
	}
	for _, form := range []string{key, url.QueryEscape(key), url.PathEscape(key)} {
		s = strings.ReplaceAll(s, form, "<redacted>")
	}
	return s
}

// redact rewrites an error whose text contains the credential; the chain is kept for errors.Is
// (deadline checks) only when nothing needed removing.
func (c *client) redact(err error) error {
	msg := err.Error()
	if clean := c.scrub(msg); clean != msg {
		return errors.New(clean)
	}
	return err
}

// label makes a server-supplied string safe as a label value: valid UTF-8 (the client library
// panics otherwise) and short.
func label(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) > 128 {
		s = string([]rune(s)[:128])
	}
	return s
}
