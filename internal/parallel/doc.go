// Package parallel is the one runner every multi-host target of the hub uses (deploy, ping,
// backup, ...): it fans a per-host job out over the selected hosts and reports what happened.
//
// A target hands Run the host names, a Job and Options:
//
//	ctx, stop := parallel.WithInterrupt(ctx, parallel.SignalOptions{})
//	defer stop()
//	rep, err := parallel.Run(ctx, names, func(ctx context.Context, t *parallel.Task) error {
//		t.Phase("ping")
//		// Every command goes through internal/command (ssh options, sudo, dry run, verbose).
//		_, err := hosts[t.Host()].Run(ctx, command.Cmd{Args: []string{"true"}, Stdout: t.Stream(), Stderr: t.Stream()})
//		return err
//	}, parallel.Options{Limit: 10, KeepGoing: true, Out: os.Stdout, RunDir: ".hub/runs", Name: "hosts-ping"})
//	if err != nil {
//		return err
//	}
//	rep.WriteTable(os.Stdout)
//	if rep.Failed() > 0 {
//		return rep.Err()
//	}
//
// At most Limit jobs run at once. Without KeepGoing the first failure cancels the context of the
// jobs still running (they end "cancelled") and nothing new starts (those hosts end "not-run");
// with KeepGoing the other hosts carry on. WithInterrupt turns the first Ctrl-C into the same
// cancellation and makes a second Ctrl-C exit at once.
//
// Everything a job writes to its Task is split into lines, prefixed with the host name and
// written whole, so concurrent hosts never splice each other's lines. Every line is also kept in
// <run dir>/<host>.log and, once the job has called Phase, in <run dir>/<host>/<phase>.log. The
// run directory is <Options.RunDir>/<UTC timestamp>-<Options.Name>; report.json is written there
// at the end. On a terminal (and outside CI) a live view of host, phase, elapsed time and status
// is redrawn under the output; elsewhere phase changes are printed as plain lines.
//
// A job ends "ok" by returning nil and "failed" by returning an error. Skip and Warn return
// errors that end it with another status (a no-op deploy, "switched, units failed") without
// counting as a failure.
package parallel
