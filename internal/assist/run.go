package assist

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Run is a failed run as ai:explain sends it.
type Run struct {
	Dir, Name, Target, Started string
	Failed                     []FailedHost
}

// FailedHost is one failed host of a run with the log of the phase it failed in.
type FailedHost struct {
	Host, Status, Phase, Error string
	LogFile                    string // relative to the run directory
	Log                        string
	Trimmed                    bool
}

// FailedRun picks the run directory ai:explain reads: arg when given (a path, or a name under
// runsDir), else the newest run whose report counts failed hosts.
func FailedRun(runsDir, arg string) (string, error) {
	if arg != "" {
		for _, dir := range []string{arg, filepath.Join(runsDir, arg)} {
			if _, err := os.Stat(filepath.Join(dir, "report.json")); err == nil {
				return dir, nil
			}
		}
		return "", fmt.Errorf("run %q: no report.json there nor under %s (runs are named like 20261201T101500Z-deploy)", arg, runsDir)
	}
	for _, dir := range runs(runsDir) {
		if r, err := readReport(dir); err == nil && r.Failed > 0 {
			return dir, nil
		}
	}
	return "", fmt.Errorf("no failed run under %s: name one with ai:explain RUN", runsDir)
}

// ReadRun reads dir's report and the failed hosts' phase logs, each trimmed to its last
// budget/N bytes so the whole question stays within budget.
func ReadRun(dir string, budget int) (*Run, error) {
	r, err := readReport(dir)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", dir, err)
	}
	run := &Run{Dir: dir, Name: filepath.Base(dir), Target: r.Name, Started: r.Started}
	for _, h := range r.Hosts {
		if h.Status == "ok" || h.Status == "skipped" || (h.Error == "" && h.FailedPhase == "") {
			continue
		}
		run.Failed = append(run.Failed, FailedHost{Host: h.Host, Status: h.Status, Phase: h.FailedPhase, Error: oneLine(h.Error, 500)})
	}
	if len(run.Failed) == 0 {
		return nil, fmt.Errorf("run %s: no host failed in it", dir)
	}
	each := budget / len(run.Failed)
	for i := range run.Failed {
		h := &run.Failed[i]
		// The phase's own log when the job named phases, else the host's whole log.
		for _, rel := range []string{filepath.Join(h.Host, h.Phase+".log"), h.Host + ".log"} {
			if h.Phase == "" && strings.Contains(rel, string(filepath.Separator)) {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, rel))
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("run %s: host %s: %w", dir, h.Host, err)
			}
			h.LogFile = rel
			h.Log, h.Trimmed = tail(string(b), each)
			break
		}
	}
	return run, nil
}
