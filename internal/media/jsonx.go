package media

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// decode reads one JSON value of type T from a response body as it arrives, without holding the
// raw body beside the value; it stops at the first syntax error instead of reading on. Trailing
// data other than white space is an error, as for json.Unmarshal.
func decode[T any](r io.Reader) (T, error) {
	var v T
	dec := json.NewDecoder(r)
	if err := dec.Decode(&v); err != nil {
		return v, eofIsUnexpected(err)
	}
	return v, trailing(dec)
}

// maxListEntries bounds every list of a reply (sessions, libraries, health checks, root folders,
// indexers, a queue page): far more than a real server lists, and what keeps a reply of many tiny
// entries from decoding into many times its size in structs.
const maxListEntries = 1000

// decodeList reads a JSON array element by element, so memory holds the decoded elements (only
// the fields the exporter keeps) and one element's text, never the whole array. null is an empty
// list, as json.Unmarshal makes it. More than maxListEntries entries is an error.
func decodeList[E any](r io.Reader) ([]E, error) {
	dec := json.NewDecoder(r)
	out, err := decodeArray[E](dec)
	if err != nil {
		return nil, err
	}
	return out, trailing(dec)
}

// list is a JSON array inside a reply's object, held to maxListEntries entries like decodeList.
type list[E any] []E

func (l *list[E]) UnmarshalJSON(b []byte) error {
	out, err := decodeArray[E](json.NewDecoder(bytes.NewReader(b)))
	*l = out
	return err
}

func decodeArray[E any](dec *json.Decoder) ([]E, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, eofIsUnexpected(err)
	}
	if tok == nil {
		return nil, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("want a JSON array, got %v", tok)
	}
	var out []E
	for dec.More() {
		if len(out) == maxListEntries {
			return nil, fmt.Errorf("more than %d entries in a list", maxListEntries)
		}
		var e E
		if err := dec.Decode(&e); err != nil {
			return nil, eofIsUnexpected(err)
		}
		out = append(out, e)
	}
	if _, err := dec.Token(); err != nil { // the closing ]
		return nil, eofIsUnexpected(err)
	}
	return out, nil
}

// trailing rejects anything but white space after the value.
func trailing(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// eofIsUnexpected reports an empty or cut body as what it is: the decoder says io.EOF for a body
// without any value.
func eofIsUnexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// num is a JSON number that also accepts the numeric strings, booleans, empty strings and nulls
// that Tautulli and Plex emit for the same fields depending on version and state (Tautulli's
// stream_count is "2" while stream_count_transcode is 2). Non-finite and negative values read
// as zero: they are never meaningful for counts, sizes or rates.
type num float64

func (n *num) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")), bytes.Equal(b, []byte("false")), bytes.Equal(b, []byte(`""`)):
		*n = 0
		return nil
	case bytes.Equal(b, []byte("true")):
		*n = 1
		return nil
	}
	s := string(b)
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*n = 0
			return nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %.40q", s)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		f = 0
	}
	*n = num(f)
	return nil
}

// snake turns an API enum value into a label value: "downloadClientUnavailable" and
// "DownloadClientUnavailable" both become "download_client_unavailable".
func snake(s string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case unicode.IsUpper(r):
			if prevLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			prevLower = false
		case r == ' ' || r == '-':
			b.WriteByte('_')
			prevLower = false
		default:
			b.WriteRune(r)
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		}
	}
	if b.Len() == 0 {
		return "unknown"
	}
	return b.String()
}
