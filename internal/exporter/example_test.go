package exporter_test

import (
	"context"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/nixos-hub/hub/internal/exporter"
)

// A minimal exporter: flags, a secret read from a file, one collector and the HTTP endpoint.
// The example is compiled with the tests, so the package doc's names cannot go stale again.
func Example() {
	ctx := context.Background()
	app := exporter.NewApp("hub-media-exporter", "Media metrics.", ":9102")
	key := app.Flag("media.sonarr-api-key-file", "File with the Sonarr API key.").String()
	if err := app.Parse(os.Args[1:]); err != nil {
		app.Logger().Error("flags", "err", err)
		return
	}
	secret, err := exporter.ReadSecretFile(*key)
	if err != nil {
		app.Logger().Error("secret", "err", err)
		return
	}
	up := prometheus.NewDesc("hub_media_sonarr_up", "Sonarr answered.", nil, nil)
	sonarr := exporter.CollectorFunc(func(ctx context.Context, ch chan<- prometheus.Metric) error {
		_ = secret.Reveal() // the API key goes into the request, never into a log
		ch <- prometheus.MustNewConstMetric(up, prometheus.GaugeValue, 1)
		return nil
	})
	exp, err := exporter.New(exporter.Options{Namespace: "hub_media", Program: "hub_media_exporter",
		Collectors: map[string]exporter.Collector{"sonarr": sonarr}, Logger: app.Logger()})
	if err != nil {
		app.Logger().Error("exporter", "err", err)
		return
	}
	mux, err := exp.Mux(web.LandingConfig{Description: "Media metrics."})
	if err != nil {
		app.Logger().Error("landing page", "err", err)
		return
	}
	if err := exporter.Serve(ctx, app.Web(), mux, app.Logger()); err != nil {
		app.Logger().Error("serve", "err", err)
	}
}
