// Package baselinetest serves the real hub-baseline-exporter stack (internal/baseline's engine and
// collector behind internal/exporter's handler) for tests that read baselines over HTTP, as
// perf:report does on a host.
package baselinetest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/nixos-hub/hub/internal/baseline"
	"github.com/nixos-hub/hub/internal/exporter"
)

// Serve runs the exporter on host:9103, its boot baselines fed through BootWatch by boots
// (recorded systemd-analyze outputs, one boot each, in order: put a regression last), and
// returns its metrics URL. The server stops when t ends.
func Serve(t testing.TB, host string, boots []string) string {
	t.Helper()
	e := baseline.NewEngine(baseline.Config{Window: 100, Threshold: 3, MinSamples: 30}, baseline.BootSpecs, baseline.State{})
	dir := t.TempDir()
	for i, out := range boots {
		err := baseline.BootWatch(context.Background(), e, baseline.Boot{ID: fmt.Sprintf("boot-%d", i)}, dir,
			func(context.Context) (string, error) { return out, nil }, time.Millisecond, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
	exp, err := exporter.New(exporter.Options{Namespace: "hub_baseline", Program: "hub_baseline_exporter",
		Collectors: map[string]exporter.Collector{"baseline": baseline.NewCollector(e)}})
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort(host, "9103")
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: exp.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "http://" + addr + "/metrics"
}
