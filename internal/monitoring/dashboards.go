package monitoring

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// panelKind is the Grafana visualisation of a panel.
type panelKind string

// The visualisations the hub's dashboards use.
const (
	kindStat       panelKind = "stat"
	kindTimeSeries panelKind = "timeseries"
	kindTable      panelKind = "table"
)

// panel is one panel of a dashboard, described independently of the SDK so its queries can be
// listed and run against a real Prometheus.
type panel struct {
	Title       string
	Description string
	Kind        panelKind
	Unit        string
	Width       uint32 // of 24 grid columns
	Targets     []Target
}

// Target is one PromQL query of a panel.
type Target struct {
	Expr   string
	Legend string
	// Needs is set for a query that is legitimately empty while all is well (a filter such as
	// "== 1"): the selectors listed must then return series instead.
	Needs []string
}

// dashboardSpec is a generated Grafana dashboard.
type dashboardSpec struct {
	UID         string // also the file stem: dashboards/<UID>.json
	Title       string
	Description string
	Panels      []panel
	// Annotations mark events on every time series panel of the dashboard.
	Annotations []annotation
}

// annotation is a Prometheus annotation query: each series the query returns at a step becomes
// a marker at that time, titled and tagged from its labels.
type annotation struct {
	Name  string
	Expr  string
	Title string // Grafana's titleFormat, {{label}} templates
	Tags  []string
	Color string
	// Needs are the selectors the expression reads, since the expression itself is empty while
	// nothing happens (as an alert's).
	Needs []string
}

// deployAnnotations mark every hub deploy (the trace it leaves, internal/deploy) on the dashboards
// where a deploy explains a change: the end time steps once per deploy.
func deployAnnotations() []annotation {
	return []annotation{{
		Name:  "Deploys",
		Expr:  `changes(` + sel(metricDeployLastTimestamp) + `[2m]) > 0`,
		Title: "deploy to {{host}}: {{action}} {{result}}",
		Tags:  []string{labelHost, "action", "result", "phase"},
		Color: "blue",
		Needs: []string{sel(metricDeployLastTimestamp)},
	}}
}

// file is the dashboard's path relative to the monitoring directory.
func (d dashboardSpec) file() string { return "dashboards/" + d.UID + ".json" }

// panelQuery is a dashboard query located by dashboard and panel.
type panelQuery struct {
	Dashboard string
	Panel     string
	Target
}

// queries lists every PromQL query of the dashboards, in panel order, then their annotations'.
func queries(ds []dashboardSpec) []panelQuery {
	var qs []panelQuery
	for _, d := range ds {
		for _, p := range d.Panels {
			for _, t := range p.Targets {
				qs = append(qs, panelQuery{Dashboard: d.UID, Panel: p.Title, Target: t})
			}
		}
		for _, a := range d.Annotations {
			qs = append(qs, panelQuery{Dashboard: d.UID, Panel: "annotation " + a.Name, Target: Target{Expr: a.Expr, Needs: a.Needs}})
		}
	}
	return qs
}

// Template variables the queries use, and what they stand for when a query runs outside Grafana.
const (
	varHost     = "$host"
	varInterval = "$__rate_interval"
)

// expandVariables replaces Grafana's template variables with what they mean when every host is
// selected, so a query can be sent to Prometheus as it is.
func expandVariables(expr string, rateInterval string) string {
	return strings.NewReplacer(varHost, ".*", varInterval, rateInterval).Replace(expr)
}

// hostSel is the label matcher of the host variable; "All" is sent as ".*".
const hostSel = `host=~"` + varHost + `"`

func sel(metric string, matchers ...string) string {
	return metric + "{" + strings.Join(append(matchers, hostSel), ",") + "}"
}

// dashboards are the fleet's dashboards.
func dashboards() []dashboardSpec {
	avail := sel(metricNodeFilesystemAvail, fsSelector)
	size := sel(metricNodeFilesystemSize, fsSelector)
	reboot := sel(metricNixOSRebootRequired)
	return []dashboardSpec{
		{
			UID: "hub-fleet-overview", Title: "Fleet overview",
			Description: "Every host of the inventory: reachability, exporters, resources, pending reboots and deploy age.",
			Annotations: deployAnnotations(),
			Panels: []panel{
				{Title: "Hosts up", Kind: kindStat, Width: 6, Targets: []Target{{Expr: `count(` + sel("up", `job="node"`) + ` == 1) or vector(0)`}}},
				{Title: "Targets down", Kind: kindStat, Width: 6, Targets: []Target{{Expr: `count(` + sel("up") + ` == 0) or vector(0)`}}},
				{Title: "Hosts needing a reboot", Kind: kindStat, Width: 6, Targets: []Target{{Expr: `count(max by (host) (` + reboot + `) == 1) or vector(0)`}}},
				{Title: "Oldest deploy", Kind: kindStat, Unit: "s", Width: 6, Targets: []Target{{Expr: `max(time() - ` + sel(metricNixOSLastSwitch) + `)`}}},
				{Title: "Exporters", Description: "1: the last scrape succeeded.", Kind: kindTable, Width: 24, Targets: []Target{{Expr: sel("up"), Legend: "{{host}} {{job}}"}}},
				{Title: "CPU busy", Kind: kindTimeSeries, Unit: "percentunit", Width: 12, Targets: []Target{{
					Expr: `1 - avg by (host) (rate(` + sel(metricNodeCPUSeconds, `mode="idle"`) + `[` + varInterval + `]))`, Legend: "{{host}}"}}},
				{Title: "Memory used", Kind: kindTimeSeries, Unit: "percentunit", Width: 12, Targets: []Target{{
					Expr: `1 - ` + sel(metricNodeMemAvailable) + ` / ` + sel(metricNodeMemTotal), Legend: "{{host}}"}}},
				{Title: "Load (1m)", Kind: kindTimeSeries, Width: 12, Targets: []Target{{Expr: sel(metricNodeLoad1), Legend: "{{host}}"}}},
				{Title: "Uptime", Kind: kindTimeSeries, Unit: "s", Width: 12, Targets: []Target{{Expr: `time() - ` + sel(metricNodeBootTime), Legend: "{{host}}"}}},
				{Title: "Filesystem free", Description: "Free share of each real filesystem; the DiskNearlyFull alert fires under 10%.", Kind: kindTimeSeries, Unit: "percentunit", Width: 12, Targets: []Target{{
					Expr: avail + ` / ` + size, Legend: "{{host}} {{mountpoint}}"}}},
				{Title: "Filesystem free in 4 days (linear)", Description: "Where the last 6 hours lead; negative means full before then.", Kind: kindTimeSeries, Unit: "bytes", Width: 12, Targets: []Target{{
					Expr: `predict_linear(` + avail + `[6h], 4 * 86400)`, Legend: "{{host}} {{mountpoint}}"}}},
				// When each host changed: the trace every hub deploy leaves (internal/deploy, hub_deploy.prom).
				{Title: "Deploys", Description: "The system generation each hub deploy left on each host: a step is a deploy, its legend says how the last one ended.", Kind: kindTimeSeries, Width: 12, Targets: []Target{{
					Expr: sel(metricDeployLastGen), Legend: "{{host}} {{action}} {{result}}"}}},
				{Title: "Last deploy", Description: "Time since each host's last hub deploy, its action, result and (for a failure) the phase it failed in.", Kind: kindTable, Unit: "s", Width: 12, Targets: []Target{{
					Expr: `time() - ` + sel(metricDeployLastTimestamp), Legend: "{{host}} {{action}} {{result}} {{phase}}"}}},
			},
		},
		{
			UID: "hub-nixos-generations", Title: "NixOS generations",
			Description: "Running, booted and next-boot systems per host, generations, pending reboots and store sizes from hub-nixos-exporter.",
			Annotations: deployAnnotations(),
			Panels: []panel{
				{Title: "Systems", Description: "The toplevel each role resolves to: current (running), booted, profile (next boot).", Kind: kindTable, Width: 24, Targets: []Target{{
					Expr: sel(metricNixOSSystemInfo), Legend: "{{host}} {{role}}"}}},
				{Title: "Current generation", Kind: kindTimeSeries, Width: 8, Targets: []Target{{Expr: sel(metricNixOSCurrentGeneration), Legend: "{{host}}"}}},
				{Title: "Next-boot generation", Kind: kindTimeSeries, Width: 8, Targets: []Target{{Expr: sel(metricNixOSProfileGeneration), Legend: "{{host}}"}}},
				{Title: "Generations kept", Kind: kindTimeSeries, Width: 8, Targets: []Target{{Expr: sel(metricNixOSGenerations), Legend: "{{host}}"}}},
				{Title: "Reboot required", Description: "Components that differ between the booted system and the next boot's (the system profile).", Kind: kindTable, Width: 12, Targets: []Target{{
					Expr: reboot + ` == 1`, Legend: "{{host}} {{reason}}", Needs: []string{reboot}}}},
				{Title: "Next boot differs from running", Description: "Hosts whose system profile is not the running system: a `boot` deploy waiting for a reboot or switch, or a `test` activation a reboot undoes.", Kind: kindTable, Width: 12, Targets: []Target{{
					Expr: sel(metricNixOSCurrentMatches, `role="profile"`) + ` == 0`, Legend: "{{host}}", Needs: []string{sel(metricNixOSCurrentMatches, `role="profile"`)}}}},
				{Title: "Running the booted system", Kind: kindTimeSeries, Width: 12, Targets: []Target{{Expr: sel(metricNixOSCurrentMatches, `role="booted"`), Legend: "{{host}}"}}},
				{Title: "Since last switch", Kind: kindTimeSeries, Unit: "s", Width: 12, Targets: []Target{{Expr: `time() - ` + sel(metricNixOSLastSwitch), Legend: "{{host}}"}}},
				{Title: "Nix store and system closure", Kind: kindTimeSeries, Unit: "bytes", Width: 12, Targets: []Target{
					{Expr: sel(metricNixOSStoreSize), Legend: "{{host}} store"},
					{Expr: sel(metricNixOSClosureSize), Legend: "{{host}} closure"},
				}},
			},
		},
		{
			UID: "hub-media", Title: "Media",
			Description: "The media stack on media-server hosts, from hub-media-exporter.",
			Panels: []panel{
				{Title: "Applications up", Kind: kindTable, Width: 24, Targets: []Target{{Expr: sel(metricMediaTargetUp), Legend: "{{host}} {{app}} {{name}}"}}},
				{Title: "Applications down", Kind: kindStat, Width: 6, Targets: []Target{{Expr: `count(` + sel(metricMediaTargetUp) + ` == 0) or vector(0)`}}},
				{Title: "Streams playing", Kind: kindStat, Width: 6, Targets: []Target{{Expr: `sum(` + sel(metricMediaStreams) + `) or vector(0)`}}},
				{Title: "Hardware transcodes", Kind: kindStat, Width: 6, Targets: []Target{{Expr: `sum(` + sel(metricMediaHWTranscodes) + `) or vector(0)`}}},
				{Title: "Health issues", Kind: kindStat, Width: 6, Targets: []Target{{Expr: `sum(` + sel(metricMediaHealthIssues) + `) or vector(0)`}}},
				{Title: "Streams by decision", Description: "Direct play, direct stream (remux) or transcode.", Kind: kindTimeSeries, Width: 12, Targets: []Target{{
					Expr: `sum by (host, app, decision) (` + sel(metricMediaStreams) + `)`, Legend: "{{host}} {{app}} {{decision}}"}}},
				{Title: "Sessions", Kind: kindTimeSeries, Width: 12, Targets: []Target{{Expr: sel(metricMediaSessions), Legend: "{{host}} {{app}} {{name}}"}}},
				{Title: "Bandwidth", Kind: kindTimeSeries, Unit: "Bps", Width: 12, Targets: []Target{{
					Expr: `sum by (host, app, location) (` + sel(metricMediaBandwidth) + `)`, Legend: "{{host}} {{app}} {{location}}"}}},
				{Title: "Download queue", Kind: kindTimeSeries, Width: 12, Targets: []Target{{
					Expr: `sum by (host, app, status) (` + sel(metricMediaQueueItems) + `)`, Legend: "{{host}} {{app}} {{status}}"}}},
				{Title: "Wanted items", Kind: kindTimeSeries, Width: 12, Targets: []Target{{
					Expr: `sum by (host, app, reason) (` + sel(metricMediaWantedItems) + `)`, Legend: "{{host}} {{app}} {{reason}}"}}},
				{Title: "Library items", Kind: kindTimeSeries, Width: 12, Targets: []Target{{
					Expr: `sum by (host, app, type) (` + sel(metricMediaLibraryItems) + `)`, Legend: "{{host}} {{app}} {{type}}"}}},
				{Title: "Root folder free space", Kind: kindTimeSeries, Unit: "bytes", Width: 12, Targets: []Target{{
					Expr: sel(metricMediaRootFolderFree), Legend: "{{host}} {{app}} {{path}}"}}},
				{Title: "Exporter collectors", Description: "1: the collector succeeded in the last scrape.", Kind: kindTimeSeries, Width: 12, Targets: []Target{{
					Expr: sel("hub_media" + metricCollectorSuccessSuffix), Legend: "{{host}} {{collector}}"}}},
			},
		},
		{
			UID: "hub-performance-baselines", Title: "Performance baselines",
			Description: "Each host against its own baseline, from hub-baseline-exporter: z-scores and regression flags.",
			Panels: []panel{
				{Title: "Regressions", Kind: kindStat, Width: 8, Targets: []Target{{Expr: `count(` + sel(metricBaselineRegression) + ` == 1) or vector(0)`}}},
				{Title: "Regressed metrics", Kind: kindTable, Width: 16, Targets: []Target{{
					Expr: sel(metricBaselineRegression) + ` == 1`, Legend: "{{host}} {{metric}}", Needs: []string{sel(metricBaselineRegression)}}}},
				{Title: "z-score", Description: "Mann-Whitney z of the last 30 minutes against the baseline before them: positive when the recent samples rank higher.", Kind: kindTimeSeries, Width: 12, Targets: []Target{{Expr: sel(metricBaselineZScore), Legend: "{{host}} {{metric}}"}}},
				{Title: "Value against baseline mean", Kind: kindTimeSeries, Width: 12, Targets: []Target{
					{Expr: sel(metricBaselineValue), Legend: "{{host}} {{metric}}"},
					{Expr: sel(metricBaselineMean), Legend: "{{host}} {{metric}} baseline"},
				}},
			},
		},
	}
}

// datasource is a reference to the dashboard's datasource variable, so one file works with
// whatever the Prometheus datasource is called on the Grafana it is provisioned into.
func datasource() common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${datasource}")}
}

const panelHeight = 8

// Build turns the description into a Grafana dashboard with the foundation SDK.
func (d dashboardSpec) Build() (dashboard.Dashboard, error) {
	b := dashboard.NewDashboardBuilder(d.Title).
		Uid(d.UID).
		Description(d.Description).
		Tags([]string{"hub", "generated"}).
		Refresh("1m").
		Time("now-6h", "now").
		Timezone(common.TimeZoneBrowser).
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		WithVariable(dashboard.NewDatasourceVariableBuilder("datasource").Label("Datasource").Type("prometheus")).
		WithVariable(dashboard.NewQueryVariableBuilder("host").
			Label("Host").
			Datasource(datasource()).
			Query(dashboard.StringOrMap{String: cog.ToPtr(`label_values(up, host)`)}).
			Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
			Sort(dashboard.VariableSortAlphabeticalAsc).
			Multi(true).
			IncludeAll(true).
			AllValue(".*"))
	for _, a := range d.Annotations {
		b = b.Annotation(dashboard.NewAnnotationQueryBuilder().
			Name(a.Name).
			Datasource(datasource()).
			Enable(true).
			IconColor(a.Color).
			Expr(a.Expr).
			Step("60s").
			TitleFormat(a.Title).
			TagKeys(strings.Join(a.Tags, ",")))
	}
	for _, p := range d.Panels {
		pb, err := buildPanel(p)
		if err != nil {
			return dashboard.Dashboard{}, fmt.Errorf("dashboard %s: panel %q: %w", d.UID, p.Title, err)
		}
		b = b.WithPanel(pb)
	}
	out, err := b.Build()
	if err != nil {
		return dashboard.Dashboard{}, fmt.Errorf("dashboard %s: %w", d.UID, err)
	}
	return out, nil
}

func buildPanel(p panel) (cog.Builder[dashboard.Panel], error) {
	targets := make([]cog.Builder[variants.Dataquery], 0, len(p.Targets))
	for i, t := range p.Targets {
		q := prometheus.NewDataqueryBuilder().
			Datasource(datasource()).
			RefId(string(rune('A' + i))).
			Expr(t.Expr).
			LegendFormat(t.Legend)
		if p.Kind != kindTimeSeries {
			q = q.Instant()
		}
		if p.Kind == kindTable {
			q = q.Format(prometheus.PromQueryFormatTable)
		}
		targets = append(targets, q)
	}
	switch p.Kind {
	case kindStat:
		return fillPanel(stat.NewPanelBuilder(), p, panelHeight/2, targets), nil
	case kindTimeSeries:
		return fillPanel(timeseries.NewPanelBuilder(), p, panelHeight, targets), nil
	case kindTable:
		return fillPanel(table.NewPanelBuilder(), p, panelHeight, targets), nil
	}
	return nil, fmt.Errorf("unknown panel kind %q", p.Kind)
}

// panelBuilder is what the SDK's stat, timeseries and table panel builders have in common; each
// method returns the builder itself, so one fillPanel sets every kind up the same way.
type panelBuilder[B any] interface {
	cog.Builder[dashboard.Panel]
	Title(string) B
	Description(string) B
	Datasource(common.DataSourceRef) B
	Height(uint32) B
	Span(uint32) B
	Unit(string) B
	WithTarget(cog.Builder[variants.Dataquery]) B
}

// fillPanel gives b the panel's title, description, datasource, size, unit and queries.
func fillPanel[B panelBuilder[B]](b B, p panel, height uint32, targets []cog.Builder[variants.Dataquery]) B {
	b = b.Title(p.Title).Description(p.Description).Datasource(datasource()).Height(height).Span(p.Width)
	if p.Unit != "" {
		b = b.Unit(p.Unit)
	}
	for _, t := range targets {
		b = b.WithTarget(t)
	}
	return b
}

// marshalDashboard renders a dashboard as Grafana's JSON model, indented for reviewable diffs.
func marshalDashboard(d dashboardSpec) ([]byte, error) {
	built, err := d.Build()
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(built, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", d.file(), err)
	}
	return append(b, '\n'), nil
}
