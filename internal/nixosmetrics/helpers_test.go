package nixosmetrics

import (
	"context"
	"io"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/nixos-hub/hub/internal/exporter"
)

func newExporter(t *testing.T, cs map[string]exporter.Collector) *exporter.Exporter {
	t.Helper()
	e, err := exporter.New(exporter.Options{Namespace: Namespace, Program: "hub_nixos_exporter", Collectors: cs})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func testutilRegistry(t *testing.T, e *exporter.Exporter) *prometheus.Registry {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(e.Bind(context.Background())); err != nil {
		t.Fatal(err)
	}
	return reg
}

// writeText writes the named metric families in the text format, for -update.
func writeText(w io.Writer, reg *prometheus.Registry, names []string) error {
	mfs, err := reg.Gather()
	if err != nil {
		return err
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if slices.Contains(names, mf.GetName()) {
			if err := enc.Encode(mf); err != nil {
				return err
			}
		}
	}
	return nil
}
