package monitoring

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/durablefile"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/secrets"
)

// Generated file names in the monitoring directory, besides rules/ and dashboards/.
const (
	prometheusFile    = "prometheus.yml"
	scrapeConfigsFile = "scrape-configs.json"
)

// Files maps paths relative to the monitoring directory to their content.
type Files map[string][]byte

// paths lists the files in order.
func (f Files) paths() []string {
	ps := make([]string, 0, len(f))
	for p := range f {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

// ConfigFiles renders prometheus.yml, the scrape configurations for Nix, the rule files (the
// inventory's backup policy among them), Alertmanager's configuration with the list of secrets it
// reads, and the secrets' rotation schedule as a textfile for the monitoring server.
func ConfigFiles(f *inventory.Fleet, rot *secrets.Rotation, opts ConfigOptions, amOpts AlertmanagerOptions) (Files, error) {
	exporters := Exporters()
	cfg, err := config(f.Hosts, exporters, opts)
	if err != nil {
		return nil, err
	}
	files := Files{}
	if files[prometheusFile], err = cfg.marshalYAMLFile(); err != nil {
		return nil, err
	}
	if files[scrapeConfigsFile], err = marshalScrapeJSON(cfg.ScrapeConfigs); err != nil {
		return nil, err
	}
	for _, g := range ruleGroups() {
		if files[g.file()], err = marshalRuleFile(g); err != nil {
			return nil, err
		}
	}
	policy := policyGroup(f.Hosts)
	if files[policy.file()], err = marshalRecordFile(policy); err != nil {
		return nil, err
	}
	files[secretsTextfile] = secretsTextfileContent(rot)
	am, err := alertmanager(f.Alerts, amOpts)
	if err != nil {
		return nil, err
	}
	if files[alertmanagerFile], err = am.marshalYAMLFile(); err != nil {
		return nil, err
	}
	if files[alertmanagerSecretsFile], err = marshalAlertmanagerSecrets(f.Alerts); err != nil {
		return nil, err
	}
	return files, nil
}

// DashboardFiles renders every dashboard.
func DashboardFiles() (Files, error) {
	files := Files{}
	for _, d := range dashboards() {
		b, err := marshalDashboard(d)
		if err != nil {
			return nil, err
		}
		files[d.file()] = b
	}
	return files, nil
}

// Write writes the files under dir and reports which changed. Rendering happens before any
// write, so an error never leaves a half-updated directory behind.
func Write(dir string, files Files) (changed []string, err error) {
	for _, p := range files.paths() {
		full := filepath.Join(dir, filepath.FromSlash(p))
		old, err := os.ReadFile(full)
		if err == nil && bytes.Equal(old, files[p]) {
			continue
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return changed, fmt.Errorf("read %s: %w", full, err)
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return changed, fmt.Errorf("write %s: %w", full, err)
		}
		if err := durablefile.Write(full, files[p], 0o644); err != nil {
			return changed, fmt.Errorf("write %s: %w", full, err)
		}
		changed = append(changed, p)
	}
	return changed, nil
}

// staleFiles lists the generated files under dir whose content differs from files, or that are
// missing: what a CI check fails on when someone edited the inventory or internal/monitoring without
// regenerating.
func staleFiles(dir string, files Files) ([]string, error) {
	var stale []string
	for _, p := range files.paths() {
		old, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if errors.Is(err, os.ErrNotExist) || (err == nil && !bytes.Equal(old, files[p])) {
			stale = append(stale, p)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
	}
	return stale, nil
}

// promtoolStep is one promtool or amtool invocation of Check.
type promtoolStep struct {
	Name string
	Args []string
}

// promtoolSteps are the checks of a monitoring directory: the configuration (which also loads
// every rule file it names), the rule files on their own, and the rule unit tests.
func promtoolSteps(dir string, promtool string) []promtoolStep {
	var rules, tests []string
	for _, g := range ruleGroups() {
		rules = append(rules, filepath.Join(dir, g.file()))
		tests = append(tests, filepath.Join(dir, g.testFile()))
	}
	return []promtoolStep{
		{Name: "check config", Args: []string{promtool, "check", "config", filepath.Join(dir, prometheusFile)}},
		{Name: "check rules", Args: append([]string{promtool, "check", "rules"}, rules...)},
		{Name: "test rules", Args: append([]string{promtool, "test", "rules"}, tests...)},
	}
}

// amtoolStep checks alertmanager.yml with Alertmanager's own parser and validation.
func amtoolStep(dir, amtool string) promtoolStep {
	return promtoolStep{Name: "check-config", Args: []string{amtool, "check-config", filepath.Join(dir, alertmanagerFile)}}
}

// Check runs every promtoolStep and the amtoolStep and stops at the first failure, returning the
// tools' output.
func Check(ctx context.Context, host *command.Host, dir, promtool, amtool string) (string, error) {
	var out strings.Builder
	for _, s := range append(promtoolSteps(dir, promtool), amtoolStep(dir, amtool)) {
		res, err := host.Run(ctx, command.Cmd{Args: s.Args})
		out.Write(res.Stdout)
		out.Write(res.Stderr)
		if err != nil {
			return out.String(), fmt.Errorf("%s %s: %w", filepath.Base(s.Args[0]), s.Name, err)
		}
	}
	return out.String(), nil
}

// CheckRepo is the monitoring suite of test:parallel: the committed files under dir must be what
// the inventory and this package generate, promtool must accept them and pass the rule tests, and
// amtool must accept alertmanager.yml.
func CheckRepo(ctx context.Context, host *command.Host, f *inventory.Fleet, secretsDir, dir string, out io.Writer) error {
	rot, err := secrets.ReadRotation(secretsDir)
	if err != nil {
		return err
	}
	cfg, err := ConfigFiles(f, rot, DefaultConfigOptions(), DefaultAlertmanagerOptions())
	if err != nil {
		return err
	}
	dash, err := DashboardFiles()
	if err != nil {
		return err
	}
	var stale []string
	for _, files := range []Files{cfg, dash} {
		s, err := staleFiles(dir, files)
		if err != nil {
			return err
		}
		stale = append(stale, s...)
	}
	if len(stale) > 0 {
		return fmt.Errorf("%s is out of date (%s): run go tool mage monitor:config monitor:dashboards", dir, strings.Join(stale, ", "))
	}
	fmt.Fprintf(out, "%d generated files up to date\n", len(cfg)+len(dash))
	res, err := Check(ctx, host, dir, "promtool", "amtool")
	io.WriteString(out, res)
	return err
}
