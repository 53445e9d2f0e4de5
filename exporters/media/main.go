// Command hub-media-exporter exports the state of the media stack: Jellyfin, Plex and Tautulli
// streams, transcodes and bandwidth; *arr queues, wanted lists, health and root folder space;
// library sizes. Instances and their credential files come from a TOML file.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/nixos-hub/hub/internal/exporter"
	"github.com/nixos-hub/hub/internal/media"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "hub-media-exporter:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	app := exporter.NewApp("hub-media-exporter", "Prometheus exporter for Jellyfin, Plex, Tautulli, Sonarr, Radarr, Lidarr and Prowlarr.", ":9102")
	configFile := app.Flag("media.config.file", "TOML file listing the instances ([[sonarr]] name, url, api_key_file; see docs/media-exporter.md).").
		Required().String()
	minInterval := app.Flag("media.min-interval", "Least time between two fetches of one instance; scrapes in between are served from the cache.").
		Default("30s").Duration()
	targetTimeout := app.Flag("media.target-timeout", "Upper bound of one fetch of one instance, further cut to the scrape's own deadline.").
		Default("5s").Duration()
	if err := app.Parse(args); err != nil {
		return err
	}
	if *minInterval < 0 {
		return fmt.Errorf("--media.min-interval must not be negative, got %v", *minInterval)
	}
	if *targetTimeout <= 0 {
		return fmt.Errorf("--media.target-timeout must be positive, got %v", *targetTimeout)
	}
	logger := app.Logger()
	cfg, err := media.LoadConfig(*configFile)
	if err != nil {
		return err
	}
	collectors, err := media.NewCollectors(cfg, media.Options{MinInterval: *minInterval, TargetTimeout: *targetTimeout, Logger: logger})
	if err != nil {
		return err
	}
	exp, err := exporter.New(exporter.Options{
		Namespace:  media.Namespace,
		Program:    "hub_media_exporter",
		Logger:     logger,
		Collectors: collectors,
	})
	if err != nil {
		return err
	}
	mux, err := exp.Mux(web.LandingConfig{Description: "Media server, streaming and *arr metrics."})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger.Info("starting hub-media-exporter", "config", *configFile, "instances", len(cfg.Instances),
		"min_interval", minInterval.String(), "target_timeout", targetTimeout.String())
	return exporter.Serve(ctx, app.Web(), mux, logger)
}
