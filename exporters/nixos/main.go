// Command hub-nixos-exporter exports the state of a NixOS system: generations, the running,
// booted and profile systems, whether a reboot is required and why, and Nix store sizes.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/nixos-hub/hub/internal/exporter"
	"github.com/nixos-hub/hub/internal/nixosmetrics"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "hub-nixos-exporter:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	app := exporter.NewApp("hub-nixos-exporter", "Prometheus exporter for NixOS system state.", ":9101")
	root := app.Flag("nixos.root", "Root of the NixOS filesystem to inspect.").Default("/").String()
	interval := app.Flag("nixos.scan-interval", "Interval of the background Nix store and closure size scan.").Default("15m").Duration()
	scanTimeout := app.Flag("nixos.scan-timeout", "Upper bound of one background store scan.").Default("10m").Duration()
	nixStore := app.Flag("nixos.nix-store-binary", "nix-store binary used to list the running system's closure.").Default("nix-store").String()
	microvmDir := app.Flag("nixos.microvm-state-dir", "microvm.nix's state directory, where a running guest has its booted link (inside --nixos.root); the local fleet's QEMU guests: /run/hub-microvms.").Default(nixosmetrics.DefaultMicroVMStateDir).String()
	if err := app.Parse(args); err != nil {
		return err
	}
	if *interval <= 0 {
		return fmt.Errorf("--nixos.scan-interval must be positive, got %v", *interval)
	}
	logger := app.Logger()
	fsys := nixosmetrics.FS{Root: *root}
	scanner := &nixosmetrics.StoreScanner{FS: fsys, NixStore: *nixStore, Interval: *interval, Timeout: *scanTimeout, Logger: logger}
	exp, err := exporter.New(exporter.Options{
		Namespace: nixosmetrics.Namespace,
		Program:   "hub_nixos_exporter",
		Logger:    logger,
		Collectors: map[string]exporter.Collector{
			"system":  nixosmetrics.NewSystemCollector(fsys, logger),
			"store":   nixosmetrics.NewStoreCollector(scanner),
			"microvm": nixosmetrics.NewMicroVMCollector(fsys, *microvmDir),
		},
	})
	if err != nil {
		return err
	}
	mux, err := exp.Mux(web.LandingConfig{Description: "NixOS generations, reboot-required and Nix store metrics."})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go scanner.Run(ctx)
	logger.Info("starting hub-nixos-exporter", "root", *root, "scan_interval", interval.String(), "scan_timeout", scanTimeout.Round(time.Second).String())
	return exporter.Serve(ctx, app.Web(), mux, logger)
}
