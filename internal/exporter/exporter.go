// Package exporter is the shared base of the hub's Prometheus exporters.
//
// An exporter is a set of named Collectors behind one HTTP endpoint. The base takes care of what
// every exporter in the fleet must get right the same way: a private registry with build info,
// node_exporter-style per-collector success and duration gauges, a scrape deadline derived from
// Prometheus' X-Prometheus-Scrape-Timeout-Seconds header, partial results instead of failed
// scrapes, TLS and basic auth through exporter-toolkit, flags with environment fallbacks, and
// secrets read from files.
//
// A minimal exporter is the package's Example (example_test.go, compiled with the tests):
// NewApp and its flags, ReadSecretFile, New with one CollectorFunc, Exporter.Mux and Serve.
package exporter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Collector is one independently failing unit of an exporter. Update sends metrics on ch and
// must return promptly once ctx is done: ctx carries the scrape deadline. Metrics sent before an
// error are still exported, so a collector may report what it has and then fail.
type Collector interface {
	Update(ctx context.Context, ch chan<- prometheus.Metric) error
}

// CollectorFunc adapts a function to Collector.
type CollectorFunc func(ctx context.Context, ch chan<- prometheus.Metric) error

// Update calls f.
func (f CollectorFunc) Update(ctx context.Context, ch chan<- prometheus.Metric) error {
	return f(ctx, ch)
}

// scrapeTimeoutHeader is the header Prometheus sets to the scrape timeout in seconds.
const scrapeTimeoutHeader = "X-Prometheus-Scrape-Timeout-Seconds"

// Options configures an Exporter.
type Options struct {
	// Namespace prefixes the scrape_collector_* gauges, e.g. "hub_nixos".
	Namespace string
	// Program names the build info gauge, <Program>_build_info, e.g. "hub_nixos_exporter".
	Program string
	// Collectors by name; the name becomes the collector label.
	Collectors map[string]Collector
	// Logger receives collector failures; nil discards.
	Logger *slog.Logger
	// DefaultTimeout bounds a scrape that carries no timeout header (a human with curl).
	// Zero means 10s, Prometheus' default scrape timeout.
	DefaultTimeout time.Duration
	// TimeoutMargin is kept free of collector work so the response still reaches Prometheus
	// before it gives up. Zero means 500ms.
	TimeoutMargin time.Duration
}

// Exporter serves a set of Collectors from a private registry.
type Exporter struct {
	opts     Options
	names    []string
	registry *prometheus.Registry
	success  *prometheus.Desc
	duration *prometheus.Desc
}

// New builds an Exporter. Its registry already holds the build info, Go runtime and process
// collectors; Registry exposes it for exporter-specific additions.
func New(opts Options) (*Exporter, error) {
	if opts.Namespace == "" || opts.Program == "" {
		return nil, errors.New("exporter: namespace and program are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.DefaultTimeout <= 0 {
		opts.DefaultTimeout = 10 * time.Second
	}
	if opts.TimeoutMargin <= 0 {
		opts.TimeoutMargin = 500 * time.Millisecond
	}
	e := &Exporter{
		opts:     opts,
		registry: prometheus.NewRegistry(),
		success: prometheus.NewDesc(prometheus.BuildFQName(opts.Namespace, "scrape", "collector_success"),
			"Whether the collector succeeded in this scrape (1) or failed or ran out of time (0).",
			[]string{"collector"}, nil),
		duration: prometheus.NewDesc(prometheus.BuildFQName(opts.Namespace, "scrape", "collector_duration_seconds"),
			"How long the collector took in this scrape.", []string{"collector"}, nil),
	}
	for name := range opts.Collectors {
		e.names = append(e.names, name)
	}
	slices.Sort(e.names)
	for _, c := range []prometheus.Collector{
		versioncollector.NewCollector(opts.Program),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := e.registry.Register(c); err != nil {
			return nil, fmt.Errorf("exporter: register standard collector: %w", err)
		}
	}
	return e, nil
}

// Registry is the exporter's private registry, for collectors that need no scrape context.
func (e *Exporter) Registry() *prometheus.Registry { return e.registry }

// Bind returns a prometheus.Collector that runs every Collector under ctx, plus the success and
// duration gauges. Tests hand it to testutil.CollectAndCompare.
func (e *Exporter) Bind(ctx context.Context) prometheus.Collector {
	return &boundCollectors{ctx: ctx, e: e}
}

// Handler serves the metrics endpoint. Each request gets a deadline from its scrape timeout
// header; a failing collector shows up as collector_success 0, never as a failed scrape.
func (e *Exporter) Handler() http.Handler {
	errorLog := slog.NewLogLogger(e.opts.Logger.Handler(), slog.LevelError)
	inner := promhttp.InstrumentMetricHandler(e.registry, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), e.scrapeBudget(r.Header))
		defer cancel()
		scrape := prometheus.NewRegistry()
		if err := scrape.Register(e.Bind(ctx)); err != nil {
			http.Error(w, "register scrape collectors", http.StatusInternalServerError)
			return
		}
		promhttp.HandlerFor(prometheus.Gatherers{e.registry, scrape}, promhttp.HandlerOpts{
			ErrorLog:      errorLog,
			ErrorHandling: promhttp.ContinueOnError,
		}).ServeHTTP(w, r)
	}))
	return inner
}

// scrapeBudget is the time collectors may use for a scrape with these request headers.
func (e *Exporter) scrapeBudget(h http.Header) time.Duration {
	timeout := e.opts.DefaultTimeout
	if v := h.Get(scrapeTimeoutHeader); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 && secs < 1e6 {
			timeout = time.Duration(secs * float64(time.Second))
		}
	}
	// A margin larger than the timeout itself would leave nothing; keep half instead.
	if timeout > 2*e.opts.TimeoutMargin {
		return timeout - e.opts.TimeoutMargin
	}
	return timeout / 2
}

type boundCollectors struct {
	ctx context.Context
	e   *Exporter
}

// Describe sends nothing: the collector is unchecked because its metrics depend on the system.
func (b *boundCollectors) Describe(chan<- *prometheus.Desc) {}

func (b *boundCollectors) Collect(ch chan<- prometheus.Metric) {
	var wg sync.WaitGroup
	for _, name := range b.e.names {
		wg.Go(func() { b.run(name, b.e.opts.Collectors[name], ch) })
	}
	wg.Wait()
}

// run forwards one collector's metrics until it finishes or the deadline passes. A collector that
// ignores its context is abandoned, not waited for, and whatever it sends later is discarded.
func (b *boundCollectors) run(name string, c Collector, out chan<- prometheus.Metric) {
	begin := time.Now()
	buf := make(chan prometheus.Metric)
	done := make(chan error, 1)
	go func() {
		done <- c.Update(b.ctx, buf)
		close(buf)
	}()
	var err error
forward:
	for {
		select {
		case m, ok := <-buf:
			if !ok {
				err = <-done
				break forward
			}
			out <- m
		case <-b.ctx.Done():
			err = fmt.Errorf("collector %s: %w", name, b.ctx.Err())
			go func() {
				for range buf {
				}
			}()
			break forward
		}
	}
	success := 1.0
	if err != nil {
		success = 0
		b.e.opts.Logger.Warn("collector failed", "collector", name, "err", err)
	}
	out <- prometheus.MustNewConstMetric(b.e.duration, prometheus.GaugeValue, time.Since(begin).Seconds(), name)
	out <- prometheus.MustNewConstMetric(b.e.success, prometheus.GaugeValue, success, name)
}
