// Package deploy is the hub's main job: parallel, health-gated NixOS deploys with magic
// rollback. Per host, all hosts at once (internal/parallel): evaluate every toplevel in one nix eval,
// skip hosts that already run their system, build (locally in one nix-store --realise, on the
// target or on a build host), copy the closure with retries, check boot space and take the
// host's deploy lock, activate through a detached supervisor that is also the rollback watchdog,
// confirm over a new ssh connection, run the health checks, commit, and optionally reboot.
// docs/deploy.md describes the protocol.
package deploy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/nix"
	"github.com/nixos-hub/hub/internal/parallel"
)

// Action is what switch-to-configuration does with the new system.
type Action string

// Actions, with NixOS semantics.
const (
	Switch      Action = "switch"       // activate now and make it the boot default
	Boot        Action = "boot"         // make it the boot default only
	Test        Action = "test"         // activate now, boot default unchanged
	DryActivate Action = "dry-activate" // print what switch would do
)

// ParseAction accepts the four switch-to-configuration actions.
func ParseAction(s string) (Action, error) {
	switch a := Action(s); a {
	case Switch, Boot, Test, DryActivate:
		return a, nil
	}
	return "", fmt.Errorf("action %q: want switch, boot, test or dry-activate", s)
}

// Statuses of hosts that did not fail but did not simply succeed either.
const (
	StatusUnitsFailed parallel.Status = "switched-units-failed" // switch-to-configuration exit 4
	StatusBootOnly    parallel.Status = "boot-fallback"         // switch inhibited: boot default set
)

// Options configure a deploy. Zero values take the defaults noted.
type Options struct {
	Action Action // default Switch

	// Rollout.
	Limit          int    // hosts deploying at once; 0: all
	KeepGoing      bool   // a failed host does not cancel the others
	Canary         string // deploy this host alone first; a failure stops the rollout
	Batch          int    // after the canary, hosts per batch; 0: all remaining at once
	MaxUnavailable int    // hosts rebooting at once with Reboot, and the batch size when Batch is 0
	RollbackDone   bool   // when a batch fails, also roll back the hosts already deployed

	// Per-host overrides of the inventory.
	BuildOn        string        // inventory.BuildLocal, BuildTarget or BuildHost; "" keeps host.toml
	BuildHost      string        // the build host for BuildHost
	Substitute     bool          // let targets substitute from their caches during the copy
	ConfirmTimeout time.Duration // 0 keeps deploy.confirm_timeout

	// Skip lists hosts of the selection the run must not touch, with the reason its summary
	// shows (a guarded host without a terminal to confirm on): they are neither evaluated nor
	// built, and end "skipped".
	Skip map[string]string

	Emergency bool // skip the boot space check and the health checks (the lock and magic rollback stay)
	Force     bool // break a stale deploy lock (older than StaleLock, its supervisor gone)
	Reboot    bool // reboot the hosts whose kernel, initrd, modules or systemd changed, one at a time

	Rebooter      Rebooter      // default SSHRebooter
	RebootTimeout time.Duration // 0 keeps deploy.reboot_timeout
	// ActivationTimeout bounds the wait for switch-to-configuration, reconnections after a
	// dropped connection or a reboot included; 0 keeps deploy.activation_timeout. The
	// watchdog's own deadlines start after it.
	ActivationTimeout time.Duration
	CopyTimeout       time.Duration // each nix copy attempt; 0 keeps deploy.copy_timeout
	ProbeTimeout      time.Duration // first ssh round trip; default 30s
	CopyAttempts      int           // nix copy attempts on transient ssh failures; default 3
	CopyBackoff       time.Duration // first retry pause, doubled each time; default 2s
	HealthPause       time.Duration // pause between health check attempts; default 2s
	StaleLock         time.Duration // default 15m
	Nix               nix.Settings  // every local nix call carries them; zero value: nix.Real() (internal/nix)
	Owner             string        // user@machine in the lock; default from the environment
	// TextfileDir is where each host gets the deploy's trace (hub_deploy.prom, metric.go) for
	// node_exporter; "": DefaultTextfileDir, "-": none. Written only where the directory exists.
	TextfileDir string

	// Output, as in parallel.Options.
	Name     string
	Out      io.Writer
	RunDir   string
	Progress parallel.Progress
}

func (o *Options) defaults(e *command.Executor) {
	if o.Action == "" {
		o.Action = Switch
	}
	if o.Rebooter == nil {
		o.Rebooter = SSHRebooter{}
	}
	setDefault(&o.ProbeTimeout, 30*time.Second)
	setDefault(&o.CopyAttempts, 3)
	setDefault(&o.CopyBackoff, 2*time.Second)
	setDefault(&o.HealthPause, 2*time.Second)
	setDefault(&o.StaleLock, 15*time.Minute)
	setDefault(&o.MaxUnavailable, 1)
	if o.Nix.Kind == "" {
		o.Nix = nix.Real()
	}
	if o.Owner == "" {
		o.Owner = Owner()
	}
	if o.Name == "" {
		o.Name = "deploy-" + string(o.Action)
	}
}

// limits is h's deploy policy with this run's overrides (flags) applied: the deadlines of its
// remote steps and the magic rollback's confirm window. host.toml's [deploy] sets them per
// host, so a slow link or a slow-booting host gets more time without slowing anyone else's
// failure.
func (r *run) limits(h *inventory.Host) inventory.Deploy {
	d := h.Deploy
	for _, o := range []struct{ to, from *time.Duration }{
		{&d.ConfirmTimeout, &r.opts.ConfirmTimeout}, {&d.ActivationTimeout, &r.opts.ActivationTimeout},
		{&d.RebootTimeout, &r.opts.RebootTimeout}, {&d.CopyTimeout, &r.opts.CopyTimeout},
	} {
		if *o.from > 0 {
			*o.to = *o.from
		}
	}
	// A host built by hand rather than loaded (inventory.Load sets them) still gets deadlines.
	setDefault(&d.StepTimeout, time.Minute)
	setDefault(&d.CopyTimeout, time.Hour)
	setDefault(&d.ActivationTimeout, 30*time.Minute)
	setDefault(&d.RebootTimeout, 10*time.Minute)
	return d
}

func setDefault[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}

// Owner is user@machine of this process, as deploy locks and records name the deployer.
func Owner() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return name + "@" + host
}

// Result is the outcome of a deploy.
type Result struct {
	Report   *parallel.Report
	Rollback *parallel.Report // with RollbackDone after a failed batch: rolling the done hosts back
	Stopped  string           // why the rollout stopped early, empty when it did not
}

// Failed counts failed hosts of the deploy and of the rollback of done hosts.
func (r *Result) Failed() int {
	n := r.Report.Failed()
	if r.Rollback != nil {
		n += r.Rollback.Failed()
	}
	return n
}

// run is one deploy's shared state.
type run struct {
	fleet *inventory.Fleet
	exec  *command.Executor
	opts  Options
	id    string
	me    lockInfo
	hosts map[string]*inventory.Host

	evalOnce func() (map[string]System, error)
	build    *builder
	reboots  chan struct{} // rolling reboot slots

	rollout *rollout

	mu   sync.Mutex
	done map[string]int // host -> the profile generation before this deploy, for committed hosts
}

// Run deploys the system of each host (from fleet.Flake) to it.
func Run(ctx context.Context, fleet *inventory.Fleet, e *command.Executor, hosts []*inventory.Host, opts Options) (*Result, error) {
	opts.defaults(e)
	if len(hosts) == 0 {
		return nil, errors.New("deploy: no hosts selected")
	}
	if opts.BuildOn != "" && opts.BuildOn != inventory.BuildLocal && opts.BuildOn != inventory.BuildTarget && opts.BuildOn != inventory.BuildHost {
		return nil, fmt.Errorf("deploy: -buildOn %q: want local, target or host", opts.BuildOn)
	}
	if opts.BuildHost != "" {
		if _, ok := fleet.Host(opts.BuildHost); !ok {
			return nil, fmt.Errorf("deploy: build host %q is not in the inventory (hosts: %s)", opts.BuildHost, strings.Join(fleet.Names(), ", "))
		}
	}
	if opts.BuildOn == inventory.BuildHost && opts.BuildHost == "" {
		for _, h := range hosts {
			if _, ok := fleet.Host(h.Build.Host); !ok {
				return nil, fmt.Errorf("deploy: -buildOn host: %s has no build.host in %s; name one with -buildHost NAME", h.Name, h.File)
			}
		}
	}
	r := &run{fleet: fleet, exec: e, opts: opts, id: newID(), hosts: map[string]*inventory.Host{}, done: map[string]int{},
		reboots: make(chan struct{}, opts.MaxUnavailable)}
	r.me = lockInfo{ID: r.id, Owner: opts.Owner, PID: os.Getpid(), Time: time.Now()}
	var names, skipped []string
	for _, h := range hosts {
		r.hosts[h.Name] = h
		if _, skip := opts.Skip[h.Name]; skip {
			skipped = append(skipped, h.Name)
			continue
		}
		names = append(names, h.Name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("deploy: every selected host is skipped (%s: %s)", skipped[0], opts.Skip[skipped[0]])
	}
	r.evalOnce = sync.OnceValues(func() (map[string]System, error) {
		return Evaluate(ctx, e.Local(), fleet.Flake, names, opts.Nix)
	})
	order, err := newRollout(names, opts)
	if err != nil {
		return nil, err
	}
	r.rollout = order
	r.build = newBuilder(nix.On(e.Local(), opts.Nix), len(names), func(string, ...any) {})
	rep, err := parallel.Run(ctx, append(order.order, skipped...), r.job, parallel.Options{Name: opts.Name, Limit: opts.Limit,
		KeepGoing: opts.KeepGoing, Out: opts.Out, RunDir: opts.RunDir, Progress: opts.Progress})
	if rep == nil {
		return nil, err
	}
	res := &Result{Report: rep, Stopped: order.stoppedReason()}
	if res.Stopped != "" && opts.RollbackDone && len(r.done) > 0 {
		back, rerr := r.rollbackDone(ctx)
		res.Rollback = back
		err = errors.Join(err, rerr)
	}
	return res, err
}

func newID() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// hostError wraps a host's failure with what to do about it.
func hostError(phase, what string, err error, hint string) error {
	if hint != "" {
		return fmt.Errorf("%s: %s: %w; %s", phase, what, err, hint)
	}
	return fmt.Errorf("%s: %s: %w", phase, what, err)
}

// probeAhead starts the probe a host's job begins with while nix evaluates: it needs nothing
// from the evaluation, which takes seconds on a real NixOS configuration, and the ssh handshake
// and the round trip hide under it. The function it returns waits for the result. A dry run
// probes only when the result is asked for, so that its commands print in order, as a plan.
func (r *run) probeAhead(ctx context.Context, remote *command.Host) func() (State, error) {
	if r.exec.DryRun {
		return func() (State, error) { return Probe(ctx, remote, "", r.opts.ProbeTimeout) }
	}
	type result struct {
		st  State
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := Probe(ctx, remote, "", r.opts.ProbeTimeout)
		done <- result{st, err}
	}()
	return func() (State, error) {
		res := <-done
		return res.st, res.err
	}
}

// job is the pipeline of one host.
func (r *run) job(ctx context.Context, t *parallel.Task) (err error) {
	h := r.hosts[t.Host()]
	if why, skip := r.opts.Skip[h.Name]; skip {
		return parallel.Skip(why)
	}
	defer func() { r.rollout.finished(h.Name, err) }()
	if err := r.rollout.wait(ctx, h.Name); err != nil {
		return err
	}
	remote := r.exec.SSH(h.Name, h.SSH)
	declined := false
	decline := func() {
		if !declined {
			declined = true
			r.build.decline()
		}
	}
	defer decline()

	t.Phase("eval")
	probed := r.probeAhead(ctx, remote)
	systems, err := r.evalOnce()
	if err != nil {
		return err // a probe under way ends by itself, within its timeout
	}
	sys := systems[h.Name]
	t.Set("store path", shortPath(sys.Out))
	st, err := probed()
	if err != nil {
		return hostError("eval", "read the running system", err, fmt.Sprintf("is the host up? try `go tool mage hosts:ping %s`", h.Name))
	}
	t.Set("generation", genString(st.Generation))
	if current(r.opts.Action, st, sys.Out) {
		t.Set("reboot", yesNo(st.RebootNeeded()))
		return parallel.Skip("already runs " + shortPath(sys.Out))
	}
	t.Logf("running %s, deploying %s", shortPath(st.Current), shortPath(sys.Out))
	held := false // the deploy lock is taken, for the job's end to release
	if r.opts.Action != DryActivate {
		// Every deploy that set out to change the host leaves a trace, whatever its end; this
		// runs last and sees the job's final error. It also releases the lock, in the same
		// round trip (endHost).
		started := time.Now()
		defer func() { err = r.endHost(ctx, t, remote, started, err, held) }()
	}

	t.Phase("build")
	buildOn, buildHost := r.buildPlace(h)
	if buildOn != inventory.BuildLocal {
		decline()
	}
	switch buildOn {
	case inventory.BuildLocal:
		declined = true
		if err := r.build.build(ctx, sys, t); err != nil {
			return hostError("build", "build "+shortPath(sys.Out)+" locally", err, "the build log is in this host's build log; `nix log "+sys.Drv+"` shows it")
		}
	case inventory.BuildTarget:
		if err := r.buildRemote(ctx, t, remote, h, sys); err != nil {
			return hostError("build", "build on the target", err, "")
		}
	case inventory.BuildHost:
		bh, _ := r.fleet.Host(buildHost)
		if err := r.buildRemote(ctx, t, r.exec.SSH(bh.Name, bh.SSH), h, sys); err != nil {
			return hostError("build", "build on build host "+buildHost, err, "")
		}
	}

	t.Phase("copy")
	if buildOn != inventory.BuildTarget {
		from := ""
		if buildOn == inventory.BuildHost {
			bh, _ := r.fleet.Host(buildHost)
			from = r.exec.SSH(bh.Name, bh.SSH).StoreURI()
		}
		if err := r.copy(ctx, t, remote, h, from, sys.Out); err != nil {
			return err
		}
	}

	t.Phase("check")
	minFree := 0
	if !r.opts.Emergency && (r.opts.Action == Switch || r.opts.Action == Boot) {
		minFree = h.Deploy.BootMinFreeMiB
	}
	broke, boot, err := acquireLock(ctx, remote, r.me, r.opts.StaleLock, r.opts.Force, minFree, r.limits(h).StepTimeout)
	switch {
	case errors.Is(err, errBootFull):
		return fmt.Errorf("check: /boot has %d MiB free, deploy.boot_min_free_mib is %d; delete old generations (go tool mage deploy:prune %s -keep 3) and retry", boot.mib, minFree, h.Name)
	case errors.Is(err, errBootMeasure):
		return hostError("check", "measure /boot", err, "")
	case err != nil:
		if ctx.Err() != nil {
			// Cancelled mid-command: the mkdir may have happened on the host all the same.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			_, _ = releaseLock(cctx, remote, r.id)
		}
		return hostError("check", "take the deploy lock", err, "")
	case boot.checked && !boot.mounted:
		t.Logf("/boot is not a separate mount: boot space check skipped")
	case boot.checked:
		t.Logf("/boot: %d MiB free (need %d)", boot.mib, minFree)
	}
	if broke != "" {
		t.Logf("broke %s", broke)
	}
	if r.opts.Action == DryActivate {
		defer func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			handed, uerr := releaseLock(cctx, remote, r.id)
			err = r.released(t, err, handed, uerr)
		}()
	} else {
		held = true
	}
	return r.activate(ctx, t, h, remote, sys, st)
}

// released is the job's error once the deploy lock was given back (handed: to the supervisor
// that still runs), or could not be (uerr).
func (r *run) released(t *parallel.Task, err error, handed bool, uerr error) error {
	switch {
	case uerr != nil && err == nil:
		return parallel.Warn("lock-left", fmt.Errorf("deployed, but releasing the deploy lock failed: %w; it goes away with the next reboot or -force", uerr))
	case handed:
		t.Logf("the supervisor on the host is still running: it keeps the deploy lock and removes it when it ends")
	}
	return err
}

// current reports whether the host already has sys in the place the action puts it.
func current(a Action, st State, out string) bool {
	switch a {
	case Switch:
		return st.Current == out && st.Profile == out
	case Boot:
		return st.Profile == out
	case Test:
		return st.Current == out
	}
	return false
}

// recordDone notes the committed deploy on the host and for RollbackDone.
func (r *run) recordDone(ctx context.Context, t *parallel.Task, h *inventory.Host, remote *command.Host, sys System, before State) {
	rec := r.noteDone(h, sys, before)
	if rec == "" {
		return
	}
	script := `mkdir -p "$(dirname "$1")" && printf '%s\n' "$2" > "$1"`
	if _, err := remote.Run(context.WithoutCancel(ctx), command.Cmd{Args: []string{"sh", "-c", script, "record", lastFile, rec}, Timeout: 30 * time.Second}); err != nil {
		t.Logf("could not record the deploy on the host: %v", err)
	}
}

// noteDone notes the committed deploy for RollbackDone and returns the record the host keeps
// of it (lastFile; "" for a dry activation, which records nothing).
func (r *run) noteDone(h *inventory.Host, sys System, before State) string {
	r.mu.Lock()
	r.done[h.Name] = before.Generation
	r.mu.Unlock()
	if r.opts.Action == DryActivate {
		return ""
	}
	return fmt.Sprintf("%s %s %s %s", time.Now().UTC().Format(time.RFC3339), r.opts.Owner, r.opts.Action, sys.Out)
}

// finish writes the deploy's record on the host (rec, see noteDone) and reads the new state in
// one round trip, reboots when asked and needed, and sets the summary columns.
func (r *run) finish(ctx context.Context, t *parallel.Task, h *inventory.Host, remote *command.Host, sys System, status int, rec string) error {
	st, err := probe(ctx, remote, sys.Out, rec, r.opts.ProbeTimeout)
	if err != nil {
		return hostError("activate", "read the new state", err, "")
	}
	if rec != "" && !st.Recorded && !r.exec.DryRun {
		t.Logf("could not record the deploy on the host (%s)", lastFile)
	}
	t.Set("generation", genString(st.Generation))
	if !r.exec.DryRun {
		if err := checkOutcome(r.opts.Action, st, sys.Out); err != nil {
			return err
		}
	}
	need := len(st.NewRebootParts) > 0
	t.Set("reboot", yesNo(need))
	if need {
		t.Logf("reboot needed: %s differ from the booted system", strings.Join(st.NewRebootParts, ", "))
	}
	if need && r.opts.Reboot && r.opts.Action != DryActivate && r.opts.Action != Test {
		if err := r.reboot(ctx, t, h, remote, sys); err != nil {
			return err
		}
		t.Set("reboot", "done")
	}
	if status == 4 {
		return parallel.Warn(StatusUnitsFailed, errors.New("switched, but some units failed (switch-to-configuration exit 4); see the activate log"))
	}
	return nil
}

// checkOutcome compares what the host runs and boots after a finished activation with what the
// action promised: another admin's change or a timer during the deploy would otherwise be
// reported as this deploy's success.
func checkOutcome(action Action, st State, out string) error {
	var wrong []string
	if (action == Switch || action == Test) && st.Current != out {
		wrong = append(wrong, "it runs "+shortPath(st.Current))
	}
	if (action == Switch || action == Boot) && st.Profile != out {
		wrong = append(wrong, "its boot default (the system profile) is "+shortPath(st.Profile))
	}
	if len(wrong) == 0 {
		return nil
	}
	return fmt.Errorf("after the %s, %s instead of %s: something else changed the host during the deploy (another admin, a timer); deploy:generations shows its history",
		action, strings.Join(wrong, " and "), shortPath(out))
}

// checkRolledBack compares the host with what a rollback promised: the previous system running
// and, for switch and boot, the previous generation as the boot default.
func checkRolledBack(action Action, st State, prevSystem string, prevGen int) error {
	var wrong []string
	if prevSystem != "" && (action == Switch || action == Test) && st.Current != prevSystem {
		wrong = append(wrong, "it runs "+shortPath(st.Current)+", not "+shortPath(prevSystem))
	}
	if prevGen > 0 && (action == Switch || action == Boot) && st.Generation != prevGen {
		wrong = append(wrong, fmt.Sprintf("its profile is at generation %s, not %d", genString(st.Generation), prevGen))
	}
	if len(wrong) == 0 {
		return nil
	}
	return errors.New(strings.Join(wrong, " and "))
}

func genString(g int) string {
	if g == 0 {
		return "-"
	}
	return strconv.Itoa(g)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// shortPath shows a store path without its hash: the name is what people recognise.
func shortPath(p string) string {
	if p == "" {
		return "-"
	}
	base := path.Base(p)
	if len(base) > 33 && base[32] == '-' {
		return base[33:]
	}
	return base
}
