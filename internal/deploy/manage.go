package deploy

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/parallel"
)

// Generation is one system profile generation of a host.
type Generation struct {
	Number  int
	Created time.Time
	Path    string
	Current bool // the profile points at it (the boot default)
	Running bool // /run/current-system is it
	Booted  bool // /run/booted-system is it
}

var generationsScript = script("generations")

// Generations lists the host's system generations, oldest first.
func Generations(ctx context.Context, remote *command.Host) ([]Generation, error) {
	out, err := remote.Output(ctx, "sh", "-c", generationsScript)
	if err != nil {
		return nil, fmt.Errorf("%s: list generations: %w", remote.Name(), err)
	}
	return parseGenerations(out), nil
}

func parseGenerations(out string) []Generation {
	var gens []Generation
	var profile, cur, booted string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(line, "\t")
		switch {
		case f[0] == "gen" && len(f) == 4:
			n := linkGeneration(f[1])
			if n == 0 {
				continue
			}
			sec, _ := strconv.ParseInt(f[2], 10, 64)
			gens = append(gens, Generation{Number: n, Created: time.Unix(sec, 0).UTC(), Path: f[3]})
		case f[0] == "profile" && len(f) == 2:
			profile = f[1]
		case f[0] == "current" && len(f) == 2:
			cur = f[1]
		case f[0] == "booted" && len(f) == 2:
			booted = f[1]
		}
	}
	slices.SortFunc(gens, func(a, b Generation) int { return a.Number - b.Number })
	for i := range gens {
		gens[i].Current = linkGeneration(profile) == gens[i].Number
		gens[i].Running = gens[i].Path == cur
		gens[i].Booted = gens[i].Path == booted
	}
	return gens
}

// WriteGenerations renders the generations table.
func WriteGenerations(w io.Writer, gens []Generation) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GEN\tCREATED (UTC)\tSYSTEM\tSTATE")
	for _, g := range gens {
		var state []string
		if g.Current {
			state = append(state, "profile")
		}
		if g.Running {
			state = append(state, "running")
		}
		if g.Booted {
			state = append(state, "booted")
		}
		s := strings.Join(state, ",")
		if s == "" {
			s = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", g.Number, g.Created.Format("2006-01-02 15:04:05"), shortPath(g.Path), s)
	}
	return tw.Flush()
}

// RollbackOptions configure Rollback.
type RollbackOptions struct {
	Generation int    // 0: the generation before the profile's current one
	Action     Action // default Switch; Boot only changes the boot default
	Owner      string
	Force      bool
	StaleLock  time.Duration
	// The host's deadlines (host.toml [deploy]): the lock (default 1m) and the switch
	// (default 30m).
	StepTimeout, ActivationTimeout time.Duration
}

// Rollback switches the host to an earlier generation of its system profile, through the same
// supervisor (and lock) as a deploy so that a dropped connection cannot leave it half done. It
// returns the generation it switched to.
func Rollback(ctx context.Context, remote *command.Host, o RollbackOptions) (Generation, error) {
	setDefault(&o.Action, Switch)
	setDefault(&o.StaleLock, 15*time.Minute)
	setDefault(&o.StepTimeout, time.Minute)
	setDefault(&o.ActivationTimeout, 30*time.Minute)
	if o.Owner == "" {
		o.Owner = Owner()
	}
	gens, err := Generations(ctx, remote)
	if err != nil {
		return Generation{}, err
	}
	cur := slices.IndexFunc(gens, func(g Generation) bool { return g.Current })
	var target Generation
	switch {
	case o.Generation > 0:
		i := slices.IndexFunc(gens, func(g Generation) bool { return g.Number == o.Generation })
		if i < 0 {
			return Generation{}, fmt.Errorf("%s: rollback: no generation %d (see deploy:generations %s)", remote.Name(), o.Generation, remote.Name())
		}
		target = gens[i]
	case cur > 0:
		target = gens[cur-1]
	default:
		return Generation{}, fmt.Errorf("%s: rollback: no generation before the current one (see deploy:generations %s)", remote.Name(), remote.Name())
	}
	id := newID()
	if _, _, err := acquireLock(ctx, remote, lockInfo{ID: id, Owner: o.Owner, PID: os.Getpid(), Time: time.Now()}, o.StaleLock, o.Force, 0, o.StepTimeout); err != nil {
		return target, fmt.Errorf("%s: rollback: %w", remote.Name(), err)
	}
	defer func() { _, _ = releaseLock(context.WithoutCancel(ctx), remote, id) }()
	a := activation{id: id, action: o.Action, out: target.Path, profileOp: "gen:" + strconv.Itoa(target.Number), confirm: time.Second, health: time.Second}
	files, started, err := a.launch(ctx, remote, time.Now().Add(o.ActivationTimeout), true, "done")
	if !started {
		return target, fmt.Errorf("%s: rollback: start: %w", remote.Name(), err)
	}
	if err != nil {
		return target, fmt.Errorf("%s: rollback: %w", remote.Name(), err)
	}
	switch files["result"] {
	case "activated":
		return target, nil
	case "boot":
		// Switch inhibitors refused the live switch: the generation is the boot default only.
		return target, fmt.Errorf("%s: generation %d is the boot default but not running: switch inhibitors refused a live switch; reboot the host to run it", remote.Name(), target.Number)
	}
	return target, fmt.Errorf("%s: rollback to generation %d failed (%s): %s; its previous generation was restored", remote.Name(), target.Number, files["result"], files["rolled-back"])
}

// rollbackDone rolls the hosts this deploy committed back to their generation from before it.
func (r *run) rollbackDone(ctx context.Context) (*parallel.Report, error) {
	var names []string
	for n := range r.done {
		names = append(names, n)
	}
	slices.Sort(names)
	return parallel.Run(context.WithoutCancel(ctx), names, func(ctx context.Context, t *parallel.Task) error {
		t.Phase("rollback")
		h := r.hosts[t.Host()]
		gen := r.done[h.Name]
		if gen == 0 {
			return fmt.Errorf("rollback: the host had no generation before this deploy")
		}
		g, err := Rollback(ctx, r.exec.SSH(h.Name, h.SSH), RollbackOptions{Generation: gen, Owner: r.opts.Owner, StaleLock: r.opts.StaleLock,
			StepTimeout: r.limits(h).StepTimeout, ActivationTimeout: r.limits(h).ActivationTimeout})
		if err != nil {
			return err
		}
		t.Set("generation", strconv.Itoa(g.Number))
		t.Set("store path", shortPath(g.Path))
		return nil
	}, parallel.Options{Name: r.opts.Name + "-rollback-done", KeepGoing: true, Out: r.opts.Out, RunDir: r.opts.RunDir, Progress: r.opts.Progress})
}

// HostStatus is one row of deploy:status.
type HostStatus struct {
	Host       string
	Err        error
	State      State
	Generation int
}

// Status probes the hosts in parallel.
func Status(ctx context.Context, e *command.Executor, hosts []*inventory.Host, timeout time.Duration) []HostStatus {
	out := make([]HostStatus, len(hosts))
	done := make(chan struct{})
	for i, h := range hosts {
		go func() {
			defer func() { done <- struct{}{} }()
			st, err := Probe(ctx, e.SSH(h.Name, h.SSH), "", timeout)
			out[i] = HostStatus{Host: h.Name, Err: err, State: st, Generation: st.Generation}
		}()
	}
	for range hosts {
		<-done
	}
	return out
}

// WriteStatus renders the status table: running and booted system, profile generation, reboot
// needed and the last deploy.
func WriteStatus(w io.Writer, rows []HostStatus) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tRUNNING\tBOOTED\tGEN\tPROFILE\tREBOOT\tLAST DEPLOY")
	var errs []string
	for _, r := range rows {
		if r.Err != nil {
			fmt.Fprintf(tw, "%s\tunreachable\t-\t-\t-\t-\t-\n", r.Host)
			errs = append(errs, fmt.Sprintf("%s: %s", r.Host, firstLine(r.Err.Error())))
			continue
		}
		s := r.State
		profile := "= running"
		if s.Profile != s.Current {
			profile = shortPath(s.Profile)
		}
		reboot := "no"
		if s.RebootNeeded() {
			reboot = "yes (" + strings.Join(s.RebootParts, ",") + ")"
		}
		last := "-"
		if s.LastDeploy != "" {
			f := strings.Fields(s.LastDeploy)
			if len(f) >= 3 {
				last = f[0] + " by " + f[1] + " (" + f[2] + ")"
			}
		}
		booted := "= running"
		if s.Booted != s.Current {
			booted = shortPath(s.Booted)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Host, shortPath(s.Current), booted, genString(r.Generation), profile, reboot, last)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(errs) > 0 {
		_, err := fmt.Fprintf(w, "\n%s\n", strings.Join(errs, "\n"))
		return err
	}
	return nil
}
