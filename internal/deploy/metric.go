package deploy

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/parallel"
)

// DefaultTextfileDir is node_exporter's textfile directory on NixOS hosts (hub.features.node-exporter's
// textfileDir), where a deploy leaves its trace for Prometheus.
const DefaultTextfileDir = "/var/lib/prometheus-node-exporter/textfile"

// TextfileName is the deploy trace's file in the textfile directory.
const TextfileName = "hub_deploy.prom"

// Results of a deploy, the result label of its metrics.
const (
	ResultSuccess   = "success"
	ResultFailed    = "failed"
	ResultCancelled = "cancelled"
)

// Trace is what one deploy to one host leaves on it: when it ended, how, in which phase, how long
// it took and the system profile generation it left behind.
type Trace struct {
	Action     Action
	Result     string // ResultSuccess, ResultFailed, ResultCancelled, or a non-failing status such as switched-units-failed
	Phase      string // the phase a failed or cancelled deploy ended in; empty otherwise
	End        time.Time
	Duration   time.Duration
	Generation int // 0 when it could not be read
	// Phases is the time the deploy spent in each phase (eval, build, copy, check, activate,
	// confirm, health), in order; a deploy that stopped early has the phases it reached.
	Phases []parallel.PhaseTime
}

// Metric is the trace as node_exporter textfile content. The file is replaced by every deploy, so
// the series show the last deploy; their history in Prometheus shows every deploy (the
// generation and the end time step at each one).
func (tr Trace) Metric() string { return tr.metric(fmt.Sprint(tr.Generation)) }

// generationField stands for the generation in the trace the hub sends: traceScript puts in
// the one the host's profile is at when the trace is written.
const generationField = "@generation@"

func (tr Trace) metric(generation string) string {
	labels := fmt.Sprintf(`{action=%q,result=%q,phase=%q}`, tr.Action, tr.Result, tr.Phase)
	var b strings.Builder
	for _, m := range []struct {
		name, help string
		value      string
	}{
		{"hub_deploy_last_timestamp_seconds", "Unix time the last hub deploy to this host ended.", fmt.Sprint(tr.End.Unix())},
		{"hub_deploy_last_duration_seconds", "How long the last hub deploy to this host took, from its build to its end.", fmt.Sprintf("%.3f", tr.Duration.Seconds())},
		{"hub_deploy_last_generation", "The system profile generation the last hub deploy left (0: unknown).", generation},
	} {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s%s %s\n", m.name, m.help, m.name, m.name, labels, m.value)
	}
	if len(tr.Phases) > 0 {
		// step, not phase: phase is the failed phase on every series of the trace.
		const name = "hub_deploy_last_phase_duration_seconds"
		fmt.Fprintf(&b, "# HELP %s How long each phase of the last hub deploy to this host took (label step).\n# TYPE %s gauge\n", name, name)
		for _, p := range tr.Phases {
			fmt.Fprintf(&b, "%s{action=%q,result=%q,phase=%q,step=%q} %.3f\n", name, tr.Action, tr.Result, tr.Phase, p.Name, p.Duration.Seconds())
		}
	}
	return b.String()
}

// result names how a host's job ended, as parallel would report it.
func result(ctx context.Context, err error) string {
	var se *parallel.StatusError
	switch {
	case err == nil:
		return ResultSuccess
	case errors.As(err, &se) && !se.Status.Failed():
		return string(se.Status)
	case ctx.Err() != nil:
		return ResultCancelled
	default:
		return ResultFailed
	}
}

// endHost ends a deploy that set out to change the host: it writes the deploy's trace on the
// host, if it has a textfile directory (a host without node_exporter's textfile collector has
// nowhere to serve it from), and releases the deploy lock when held, both in one round trip
// (endScript). The trace never fails the deploy; a host that cannot be reached any more only
// loses its trace. It returns the job's error, with the lock's release in it (released): the
// trace, written in the same round trip, cannot tell a lock that was left behind.
func (r *run) endHost(ctx context.Context, t *parallel.Task, remote *command.Host, started time.Time, err error, held bool) error {
	dir := r.opts.TextfileDir
	if dir == "" {
		dir = DefaultTextfileDir
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if dir == "-" {
		if !held {
			return err
		}
		handed, uerr := releaseLock(cctx, remote, r.id)
		return r.released(t, err, handed, uerr)
	}
	tr := Trace{Action: r.opts.Action, Result: result(ctx, err), End: time.Now(), Duration: time.Since(started), Phases: t.Phases()}
	if tr.Result == ResultFailed || tr.Result == ResultCancelled {
		tr.Phase = t.CurrentPhase()
	}
	args := []string{"sh", "-c", traceScript, "trace", dir, TextfileName, generationField}
	if held {
		args = []string{"sh", "-c", endScript, "end", r.id, dir, TextfileName, generationField}
	}
	res, werr := remote.Run(cctx, command.Cmd{Args: args, Stdin: strings.NewReader(tr.metric(generationField))})
	if werr != nil {
		t.Logf("could not leave the deploy's trace in %s on the host: %v", dir, werr)
	}
	if !held {
		return err
	}
	uerr := werr
	if m := unlockFailed.FindSubmatch(res.Stdout); m != nil && uerr == nil {
		uerr = fmt.Errorf("the unlock script exited %s on the host", m[1])
	}
	return r.released(t, err, strings.Contains(string(res.Stdout), "handed-over"), uerr)
}

// traceScript writes the trace (stdin) into the textfile directory $1 as $2, atomically, with
// the generation the system profile is at now in place of $3: reading it there saves the probe
// a round trip of its own would cost.
var traceScript = script("trace")

// endScript is unlockScript ($1 the deploy's id, in a subshell of its own: it exits when done)
// and then traceScript (the rest of the arguments): the two steps that end a deploy, in one
// ssh session.
var endScript = "(\n" + unlockScript + ") || echo \"unlock-failed=$?\"\nshift\n" + traceScript

var unlockFailed = regexp.MustCompile(`(?m)^unlock-failed=(\d+)$`)
