package media

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// decode unmarshals a response body into a T.
func decode[T any](b []byte) (T, error) {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return v, err
	}
	return v, nil
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
