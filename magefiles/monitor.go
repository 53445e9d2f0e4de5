//go:build mage

package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/magefile/mage/mg"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/monitoring"
	"github.com/nixos-hub/hub/internal/parallel"
	"github.com/nixos-hub/hub/internal/secrets"
)

// Monitor generates and checks the fleet's Prometheus configuration, alert rules and dashboards.
type Monitor mg.Namespace

// monitoringDir is the generated, committed output the monitoring server's NixOS module reads.
const monitoringDir = "monitoring"

// Config writes monitoring/prometheus.yml, scrape-configs.json, rules/*.rules.yml, alertmanager.yml and textfile/ from the inventory and secrets/rotation.toml.
func (Monitor) Config(ctx context.Context) error {
	env := runEnv(nil, nil)
	f, err := env.LoadFleet()
	if err != nil {
		return err
	}
	rot, err := secrets.ReadRotation("secrets")
	if err != nil {
		return err
	}
	files, err := monitoring.ConfigFiles(f, rot, monitoring.DefaultConfigOptions(), monitoring.DefaultAlertmanagerOptions())
	if err != nil {
		return err
	}
	return writeMonitoring(files)
}

// Dashboards writes the Grafana dashboards to monitoring/dashboards/*.json.
func (Monitor) Dashboards(ctx context.Context) error {
	files, err := monitoring.DashboardFiles()
	if err != nil {
		return err
	}
	return writeMonitoring(files)
}

// Rules regenerates the configuration, then runs promtool check config, check rules and test rules, and amtool check-config on it.
func (Monitor) Rules(ctx context.Context) error {
	env := runEnv(nil, nil)
	mg.CtxDeps(ctx, Monitor.Config)
	e := env.Executor()
	defer e.Close()
	out, err := monitoring.Check(ctx, e.Local(), monitoringDir, "promtool", "amtool")
	fmt.Print(out)
	return err
}

// Scrape fetches every exporter of the SELECTION over HTTP and lints what it serves (promlint).
func (Monitor) Scrape(ctx context.Context, selection string, timeout *time.Duration, json *bool) error {
	env := runEnv(json, nil)
	client := &http.Client{}
	return fanOut(ctx, env, selection, parallel.Options{Name: "monitor-scrape", Limit: 16}, func(ctx context.Context, t *parallel.Task, h *inventory.Host, e *command.Executor) error {
		t.Phase("scrape")
		scrapes, err := monitoring.ScrapeHost(ctx, client, h, monitoring.Exporters(), flag(timeout, 10*time.Second))
		if err != nil {
			return err
		}
		var failed []string
		for _, s := range scrapes {
			switch s.Failed() {
			case "down":
				t.Set(s.Job, "down")
				fmt.Fprintf(t, "%s: %v\n", s.Job, s.Err)
			case "lint":
				t.Set(s.Job, strconv.Itoa(len(s.Problems))+" lint")
				for _, p := range s.Problems {
					fmt.Fprintf(t, "%s: %s: %s\n", s.Job, p.Metric, p.Text)
				}
			default:
				t.Set(s.Job, "ok ("+strconv.Itoa(s.Families)+")")
				continue
			}
			failed = append(failed, s.Job+" "+s.Failed())
		}
		if len(failed) > 0 {
			return fmt.Errorf("%s", strings.Join(failed, ", "))
		}
		return nil
	})
}

func writeMonitoring(files monitoring.Files) error {
	changed, err := monitoring.Write(monitoringDir, files)
	if err != nil {
		return err
	}
	for _, p := range changed {
		fmt.Fprintln(os.Stdout, "wrote", monitoringDir+"/"+p)
	}
	if len(changed) == 0 {
		fmt.Printf("%s/ is up to date (%d files)\n", monitoringDir, len(files))
	}
	return nil
}
