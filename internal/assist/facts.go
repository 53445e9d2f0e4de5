package assist

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nixos-hub/hub/internal/features"
	"github.com/nixos-hub/hub/internal/inventory"
)

// HostFacts is what a question may say about a host. Addresses, users and keys are left out on
// purpose: a provider needs the shape of the fleet, not how to reach it.
type HostFacts struct {
	Name     string   `json:"name"`
	Class    string   `json:"class"`
	System   string   `json:"system"`
	Hardware string   `json:"hardware"`
	Tags     []string `json:"tags"`
	Roles    []string `json:"roles"`
	Features []string `json:"features"` // resolved: listed, defaults and hardware
}

// Facts lists every host of the fleet with its resolved features (reg may be nil: the listed
// features are used).
func Facts(f *inventory.Fleet, reg *features.Registry) []HostFacts {
	var out []HostFacts
	for _, h := range f.Hosts {
		hf := HostFacts{Name: h.Name, Class: h.Class, System: h.System, Hardware: h.Hardware, Tags: h.Tags, Roles: h.Roles, Features: h.Features}
		if reg != nil {
			hf.Features = reg.Resolve(features.Host{Name: h.Name, Class: h.Class, Hardware: h.Hardware, Features: h.Features}).Enabled
		}
		out = append(out, hf)
	}
	return out
}

// Host returns the facts of name.
func Host(facts []HostFacts, name string) (HostFacts, bool) {
	for _, h := range facts {
		if h.Name == name {
			return h, true
		}
	}
	return HostFacts{}, false
}

func writeFacts(b *strings.Builder, facts []HostFacts) {
	for _, h := range facts {
		fmt.Fprintf(b, "- %s: %s, %s, hardware %s", h.Name, h.Class, h.System, orNone(h.Hardware))
		if len(h.Tags) > 0 {
			fmt.Fprintf(b, ", tags %s", strings.Join(h.Tags, " "))
		}
		if len(h.Roles) > 0 {
			fmt.Fprintf(b, ", roles %s", strings.Join(h.Roles, " "))
		}
		fmt.Fprintf(b, "\n  features: %s\n", strings.Join(h.Features, " "))
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// report is the part of a run's report.json (internal/parallel) these questions read.
type report struct {
	Name    string `json:"name"`
	Started string `json:"started"`
	Failed  int    `json:"failed"`
	Hosts   []struct {
		Host        string            `json:"host"`
		Status      string            `json:"status"`
		Phase       string            `json:"phase"`
		FailedPhase string            `json:"failed_phase"`
		Error       string            `json:"error"`
		Fields      map[string]string `json:"fields"`
	} `json:"hosts"`
}

func readReport(dir string) (*report, error) {
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		return nil, err
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "report.json"), err)
	}
	return &r, nil
}

// runs lists the run directories under runsDir, newest first (their names start with the
// UTC time, so they sort by it).
func runs(runsDir string) []string {
	entries, _ := os.ReadDir(runsDir)
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, filepath.Join(runsDir, e.Name()))
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out
}

// LastDeploy summarises the newest deploy run under runsDir, one line per host ("" when
// there is none).
func LastDeploy(runsDir string) string {
	for _, dir := range runs(runsDir) {
		base := filepath.Base(dir)
		if !strings.Contains(base, "-deploy") {
			continue
		}
		r, err := readReport(dir)
		if err != nil {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "last deploy run %s (%s), %d failed:\n", base, r.Started, r.Failed)
		for _, h := range r.Hosts {
			fmt.Fprintf(&b, "- %s: %s", h.Host, h.Status)
			if h.FailedPhase != "" {
				fmt.Fprintf(&b, " in %s", h.FailedPhase)
			}
			if h.Error != "" {
				fmt.Fprintf(&b, ": %s", oneLine(h.Error, 200))
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	return ""
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
