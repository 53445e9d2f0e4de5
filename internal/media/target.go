package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/nixos-hub/hub/internal/exporter"
)

// fetchFunc queries every endpoint of one instance and records what it learnt in s. It returns
// the errors of the endpoints that failed; what the others produced is still exported.
type fetchFunc func(ctx context.Context, c *client, d *descs, s *sink) error

// result is one fetch of an instance, shared by every scrape within the minimum interval.
type result struct {
	metrics []prometheus.Metric
	err     error
	at      time.Time
	took    time.Duration
}

// target is one instance with its cache. The cache is what protects the servers: a fetch starts
// only when the last one is older than minInterval, and concurrent scrapes that find the cache
// stale join the one fetch in flight instead of starting their own.
type target struct {
	inst   Instance
	client *client
	fetch  fetchFunc
	d      *descs
	opts   *Options

	mu     sync.Mutex
	last   *result
	flight singleflight.Group
}

func (t *target) fresh() *result {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last != nil && t.opts.Now().Sub(t.last.at) < t.opts.MinInterval {
		return t.last
	}
	return nil
}

// get returns the cached result or fetches a new one. The fetch outlives a scrape that gives up
// early (its result serves the next scrape), but never runs past the target timeout nor past the
// deadline of the scrape that started it.
func (t *target) get(ctx context.Context) *result {
	if r := t.fresh(); r != nil {
		return r
	}
	ch := t.flight.DoChan("fetch", func() (any, error) {
		// A fetch that completed between fresh() and DoChan already did the work.
		if r := t.fresh(); r != nil {
			return r, nil
		}
		fctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), t.deadline(ctx))
		defer cancel()
		at := t.opts.Now()
		begin := time.Now()
		s := &sink{inst: t.inst}
		err := t.fetch(fctx, t.client, t.d, s)
		r := &result{metrics: s.out, err: err, at: at, took: time.Since(begin)}
		if err != nil {
			// Logged once per fetch, not per scrape served from the cache.
			t.opts.Logger.Warn("media target failed", "app", t.inst.App, "name", t.inst.Name, "err", err)
		}
		t.mu.Lock()
		t.last = r
		t.mu.Unlock()
		return r, nil
	})
	select {
	case res := <-ch:
		return res.Val.(*result)
	case <-ctx.Done():
		return &result{err: fmt.Errorf("%s %s: scrape deadline passed while waiting for the fetch: %w", t.inst.App, t.inst.Name, ctx.Err()),
			at: t.opts.Now()}
	}
}

// deadline is the per-target timeout, cut short so that a target timing out still leaves the
// collector time to report up=0 before the scrape deadline the base derived.
func (t *target) deadline(ctx context.Context) time.Time {
	now := time.Now()
	d := now.Add(t.opts.TargetTimeout)
	if sd, ok := ctx.Deadline(); ok {
		reserve := min(100*time.Millisecond, sd.Sub(now)/10)
		if cut := sd.Add(-reserve); cut.Before(d) {
			d = cut
		}
	}
	return d
}

// appCollector is the exporter.Collector of one application: all its instances, concurrently.
type appCollector struct {
	app     App
	targets []*target
	d       *descs
	opts    *Options
}

// Update reports every instance. An instance that fails is up=0, not a failed collector: the
// collector fails only when the scrape deadline cut it short.
func (c *appCollector) Update(ctx context.Context, ch chan<- prometheus.Metric) error {
	results := make([]*result, len(c.targets))
	var wg sync.WaitGroup
	for i, t := range c.targets {
		wg.Go(func() { results[i] = t.get(ctx) })
	}
	wg.Wait()
	for i, r := range results {
		t := c.targets[i]
		s := &sink{inst: t.inst}
		s.gauge(c.d.up, boolf(r.err == nil))
		s.gauge(c.d.fetchDuration, r.took.Seconds())
		s.gauge(c.d.cacheAge, max(0, c.opts.Now().Sub(r.at).Seconds()))
		for _, m := range append(s.out, r.metrics...) {
			ch <- m
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", c.app, err)
	}
	return nil
}

// Options configures the media collectors.
type Options struct {
	// MinInterval is the least time between two fetches of one instance.
	MinInterval time.Duration
	// TargetTimeout bounds one fetch of one instance (all its endpoints).
	TargetTimeout time.Duration
	// Logger receives target failures, once per fetch; nil discards.
	Logger *slog.Logger
	// HTTPClient performs the requests; nil means a client with sane transport timeouts.
	HTTPClient *http.Client
	// Now is the cache's clock; nil means time.Now. Tests move it to expire the cache.
	Now func() time.Time
	// ReadSecret reads a credential file; nil means exporter.ReadSecretFile.
	ReadSecret func(path string) (exporter.Secret, error)
}

// NewCollectors reads every instance's credential and returns one collector per configured
// application, keyed by the application's name, for exporter.Options.Collectors.
func NewCollectors(cfg *Config, opts Options) (map[string]exporter.Collector, error) {
	if opts.MinInterval < 0 || opts.TargetTimeout <= 0 {
		return nil, errors.New("media: min interval must not be negative and target timeout must be positive")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ReadSecret == nil {
		opts.ReadSecret = exporter.ReadSecretFile
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
		}}
	}
	d := newDescs()
	collectors := map[string]*appCollector{}
	for _, inst := range cfg.Instances {
		fetch := inst.App.spec().fetch
		secret, err := opts.ReadSecret(inst.CredentialFile)
		if err != nil {
			// One unreadable key (not yet decrypted, a permission a DynamicUser lacks) must not
			// stop the exporter and with it every other instance: this one is up=0, saying
			// why, and tries the file again at each fetch.
			opts.Logger.Warn("media target has no credential yet", "app", inst.App, "name", inst.Name, "err", err)
			fetch = withCredential(inst, opts.ReadSecret, fetch)
		}
		c := collectors[string(inst.App)]
		if c == nil {
			c = &appCollector{app: inst.App, d: d, opts: &opts}
			collectors[string(inst.App)] = c
		}
		c.targets = append(c.targets, &target{
			inst:   inst,
			client: newClient(inst, secret, opts.HTTPClient),
			fetch:  fetch,
			d:      d,
			opts:   &opts,
		})
	}
	out := make(map[string]exporter.Collector, len(collectors))
	for name, c := range collectors {
		out[name] = c
	}
	return out, nil
}

// withCredential reads the instance's credential before each fetch until it can, then fetches.
// The fetches of one target never overlap (singleflight), so setting the client's secret here
// races with nothing.
func withCredential(inst Instance, read func(string) (exporter.Secret, error), next fetchFunc) fetchFunc {
	return func(ctx context.Context, c *client, d *descs, s *sink) error {
		if c.secret.IsZero() {
			secret, err := read(inst.CredentialFile)
			if err != nil {
				return fmt.Errorf("%s %s: %s: %w", inst.App, inst.Name, inst.App.credentialField(), err)
			}
			c.secret = secret
		}
		return next(ctx, c, d, s)
	}
}

// parallel runs the endpoint queries of one instance concurrently and joins their errors, so a
// fetch takes as long as its slowest endpoint rather than their sum. Each query records into its
// own sink; they are merged in argument order so the output does not depend on timing.
func parallel(dst *sink, fns ...func(*sink) error) error {
	errs := make([]error, len(fns))
	sinks := make([]*sink, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		sinks[i] = &sink{inst: dst.inst}
		wg.Go(func() { errs[i] = fn(sinks[i]) })
	}
	wg.Wait()
	for _, s := range sinks {
		dst.out = append(dst.out, s.out...)
	}
	return errors.Join(errs...)
}

// getJSON fetches e and decodes its body as it arrives with parse, reading at most limit bytes;
// a decoding error names the endpoint too.
func getJSON[T any](ctx context.Context, c *client, e endpoint, limit int64, parse func(io.Reader) (T, error)) (T, error) {
	var v T
	err := c.get(ctx, e, limit, func(r io.Reader) error {
		var err error
		v, err = parse(r)
		return err
	})
	return v, err
}
