package media

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hugeBody is how much a misbehaving upstream offers: the 50 MB of the issue, and more.
const hugeBody = 64 << 20

// countingClient is an HTTP client that counts the bytes it reads off its connections: what a
// huge reply really cost, whatever the code above the socket did with them.
func countingClient(read *atomic.Int64) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &countingConn{Conn: c, read: read}, nil
		},
	}}
}

type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// endless answers with head, then elem repeated (joined by sep) until total bytes are written or
// the client goes away, then tail: a well-formed JSON reply that is simply too big. announce sets
// Content-Length.
func endless(head, elem, sep, tail string, total int, announce bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		n := (total - len(head) - len(tail)) / (len(elem) + len(sep))
		if announce {
			w.Header().Set("Content-Length", strconv.Itoa(len(head)+n*len(elem)+(n-1)*len(sep)+len(tail)))
		}
		chunk := strings.Repeat(elem+sep, 64)
		per := 64
		if _, err := io.WriteString(w, head); err != nil {
			return
		}
		for i := 0; i < n; {
			if i+per >= n {
				io.WriteString(w, strings.Repeat(elem+sep, n-i-1)+elem)
				break
			}
			if _, err := io.WriteString(w, chunk); err != nil || r.Context().Err() != nil {
				return
			}
			i += per
		}
		io.WriteString(w, tail)
	}
}

// A reply far beyond what its endpoint needs costs at most that endpoint's cap: refused unread
// when announced, cut off at the cap when streamed, abandoned at the first byte when not JSON.
// Before the caps, every reply was read up to 16 MiB whatever the endpoint.
func TestHugeRepliesCostAtMostTheCap(t *testing.T) {
	const jellyfinSession = `{"Id":"0123456789abcdef","UserName":"someone","Client":"Jellyfin Web","DeviceName":"Firefox","NowPlayingItem":{"Name":"x","Type":"Episode"}}`
	const plexItem = `{"sessionKey":"1","type":"episode","title":"x","Media":[{"bitrate":8000}],"Session":{"bandwidth":9000,"location":"lan"}}`
	// Entries of 8 KB: 1000 of them are past the byte cap before the entry cap.
	pad := strings.Repeat("x", 8<<10)
	largeSession := `{"Id":"0123456789abcdef","UserName":"someone","Client":"Jellyfin Web","DeviceName":"` + pad + `"}`
	for _, tc := range []struct {
		name    string
		app     App
		key     string
		handler http.HandlerFunc
		cap     int64
		want    string // in the log
	}{
		{name: "announced, small endpoint", app: sonarr, key: "/api/v3/system/status", cap: capSmall,
			handler: endless(`{"version":"`, "4", "", `"}`, hugeBody, true),
			want:    fmt.Sprintf("larger than the %d this endpoint needs: not read", capSmall)},
		{name: "streamed list of many entries", app: jellyfin, key: "/Sessions", cap: capList,
			handler: endless(`[`, jellyfinSession, ",", `]`, hugeBody, false),
			want:    fmt.Sprintf("more than %d entries in a list", maxListEntries)},
		{name: "streamed list of large entries", app: jellyfin, key: "/Sessions", cap: capList,
			handler: endless(`[`, largeSession, ",", `]`, hugeBody, false),
			want:    fmt.Sprintf("response larger than the %d bytes this endpoint needs: cut off", capList)},
		// An object is read whole before its lists are decoded: the byte cap stops it.
		{name: "streamed object", app: plex, key: "/status/sessions", cap: capSessions,
			handler: endless(`{"MediaContainer":{"size":1,"Metadata":[`, plexItem, ",", `]}}`, hugeBody, false),
			want:    fmt.Sprintf("response larger than the %d bytes this endpoint needs: cut off", capSessions)},
		// Within the byte cap, a list of many tiny entries inside an object stops at the entry cap.
		{name: "object with a list of many entries", app: radarr, key: "/api/v3/queue", cap: capPage,
			handler: endless(`{"totalRecords":1,"records":[`, `{}`, ",", `]}`, 64<<10, false),
			want:    fmt.Sprintf("more than %d entries in a list", maxListEntries)},
		{name: "announced page", app: radarr, key: "/api/v3/queue", cap: capPage,
			handler: endless(`{"totalRecords":1,"records":[`, `{"status":"downloading","trackedDownloadStatus":"ok"}`, ",", `]}`, hugeBody, true),
			want:    "announced, larger than"},
		{name: "not JSON", app: lidarr, key: "/api/v1/queue", cap: 0,
			handler: endless(`<!doctype html><html><body>`, "<p>login</p>", "", `</body></html>`, hugeBody, false),
			want:    "decode: invalid character '<'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var read atomic.Int64
			f := newFake(t, tc.app, nil, map[string]http.HandlerFunc{tc.key: tc.handler})
			s := newSetup(t, Options{HTTPClient: countingClient(&read)}, f.instance("main"))
			body := scrape(t, s.exp.Handler(), "")
			if want := fmt.Sprintf(`hub_media_up{app="%s",name="main"} 0`, tc.app); !strings.Contains(body, want) {
				t.Errorf("scrape lacks %q", want)
			}
			if logs := s.logs.String(); !strings.Contains(strings.ReplaceAll(logs, `\"`, `"`), tc.want) {
				t.Errorf("log lacks %q:\n%s", tc.want, logs)
			}
			// Slack: the other endpoints' recorded replies, headers, and what the transport had
			// buffered past the point where reading stopped.
			const slack = 256 << 10
			if got := read.Load(); got > tc.cap+slack {
				t.Errorf("read %d bytes off the connections, want at most the cap %d + %d", got, tc.cap, slack)
			}
		})
	}
}

// heapPeak samples the live heap every millisecond until stop is called, which returns the
// highest value seen.
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 { close(done); wg.Wait(); return peak }
}

// BenchmarkFetchHugeUpstream is one fetch of a Sonarr instance whose every endpoint answers 64 MiB
// of well-formed JSON without Content-Length, the memory case of the issue (one upstream's big
// replies, its endpoints fetched at once). B/op is what a fetch allocates; peak-heap-MiB the
// highest live heap seen while fetching.
func BenchmarkFetchHugeUpstream(b *testing.B) {
	handlers := map[string]http.HandlerFunc{}
	rec := `{"status":"downloading","trackedDownloadStatus":"ok","title":"0123456789abcdef0123456789abcdef"}`
	for key, h := range map[string]http.HandlerFunc{
		"/api/v3/system/status":  endless(`{"version":"`, "4", "", `"}`, hugeBody, false),
		"/api/v3/health":         endless(`[`, `{"source":"IndexerCheck","type":"warning","message":"x"}`, ",", `]`, hugeBody, false),
		"/api/v3/queue":          endless(`{"totalRecords":1,"records":[`, rec, ",", `]}`, hugeBody, false),
		"/api/v3/wanted/missing": endless(`{"totalRecords":1,"records":[`, rec, ",", `]}`, hugeBody, false),
		"/api/v3/wanted/cutoff":  endless(`{"totalRecords":1,"records":[`, rec, ",", `]}`, hugeBody, false),
		"/api/v3/rootfolder":     endless(`[`, `{"path":"/tv","accessible":true,"freeSpace":1}`, ",", `]`, hugeBody, false),
		"/api/v3/diskspace":      endless(`[`, `{"path":"/tv","freeSpace":1,"totalSpace":2}`, ",", `]`, hugeBody, false),
	} {
		handlers[key] = h
	}
	f := newFake(b, sonarr, nil, handlers)
	// MinInterval 0: every fetch goes to the server, never to the cache.
	cs, err := NewCollectors(&Config{Instances: []Instance{f.instance("main")}}, Options{
		TargetTimeout: time.Minute, ReadSecret: testSecretFile(b),
	})
	if err != nil {
		b.Fatal(err)
	}
	col := cs[string(sonarr)].(*appCollector)
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		stop := heapPeak()
		r := col.targets[0].get(context.Background())
		peak = max(peak, stop())
		if r.err == nil {
			b.Fatal("a fetch of 64 MiB replies succeeded")
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
