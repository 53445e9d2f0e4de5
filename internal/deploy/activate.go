package deploy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/inventory"
	"github.com/nixos-hub/hub/internal/parallel"
)

// activation is one supervisor run on a target.
type activation struct {
	id        string
	action    Action
	out       string // the system to activate
	profileOp string // "set", "gen:N" or "none"
	magic     bool
	confirm   time.Duration // stage 1 of the watchdog
	health    time.Duration // stage 2 of the watchdog
}

func (a activation) dir() string { return stateRoot + "/" + a.id }

// startScript stores the supervisor on the target and starts it detached: in a transient systemd
// unit where systemd runs (it then belongs to no ssh session at all), else in a new session
// with setsid. Either way the hub learns what happened from files, not from this connection.
// A connection that drops during the upload leaves cat a prefix of the script, which could
// activate and end before the watchdog loops: only a script with its last line is started.
var startScript = script("start")

// startWaitScript is startScript (its seven arguments, in a subshell of its own) and then, in
// the same session, waitScript for the names after them: the supervisor's start and the wait
// for its first answer are one ssh session instead of two. Only the start exits other than 0;
// "started=1" says it is past it.
var startWaitScript = pauseScript + "(\nset -- \"$1\" \"$2\" \"$3\" \"$4\" \"$5\" \"$6\" \"$7\"\n" + startScript + ") || exit\n" +
	"echo started=1\nid=$1; shift 7; set -- \"$id\" - '' \"$@\"\n" + script("wait")

// launch starts the supervisor and waits, in the same session, until one of names exists;
// started says whether the supervisor runs (then the host's outcome is the watchdog's: err is
// the wait's). A session that ends in a way that leaves it open (the connection dropped, Ctrl-C,
// a timeout) is settled by asking the host (launched); then the wait goes on over new sessions,
// and with keepWaiting no Ctrl-C cuts it short once the supervisor runs (a rollback that has
// begun is waited for to its end).
func (a activation) launch(ctx context.Context, h *command.Host, deadline time.Time, keepWaiting bool, names ...string) (files supervisorFiles, started bool, err error) {
	profile, magic := a.profileOp, "0"
	if a.magic {
		magic = "1"
	}
	args := append([]string{"sh", "-c", startWaitScript, "start", a.id, string(a.action), a.out, profile, magic,
		strconv.Itoa(seconds(a.confirm)), strconv.Itoa(seconds(a.health))}, names...)
	res, err := h.Run(ctx, command.Cmd{Args: args, Stdin: strings.NewReader(superviseScript), Timeout: time.Until(deadline)})
	if err == nil && res.DryRun {
		return supervisorFiles{"status": "0", "confirmed": "1", "result": "committed"}, true, nil
	}
	if err == nil {
		files, err := a.parseFiles(string(res.Stdout))
		return files, true, err
	}
	var xe *command.ExitError
	switch {
	case strings.Contains(string(res.Stdout), "started=1\n"):
	case errors.As(err, &xe) && !xe.Unreachable() && !xe.TimedOut && xe.Signal == "" && ctx.Err() == nil:
		return nil, false, err // the start itself refused (an upload cut short, systemd-run failing)
	case !a.launched(context.WithoutCancel(ctx), h):
		return nil, false, err
	}
	if ctx.Err() != nil && !keepWaiting {
		return nil, true, ctx.Err()
	}
	wctx := ctx
	if keepWaiting {
		wctx = context.WithoutCancel(ctx)
	}
	files, err = a.wait(wctx, h, deadline, names...)
	return files, true, err
}

// launchedScript exits 0 once the supervisor has written its pid (it does so first), 1 when its
// directory does not exist or no pid appears within 3 s: setsid -f has returned by then if it
// ran at all.
var launchedScript = script("launched")

// launched reports whether a supervisor was started for this activation after start failed. An
// unreachable host counts as launched: the hub cannot know, and the abort path then leaves the
// host to its watchdog instead of claiming nothing changed.
func (a activation) launched(ctx context.Context, h *command.Host) bool {
	_, err := h.Run(ctx, command.Cmd{Args: []string{"sh", "-c", launchedScript, "launched", a.id}, Timeout: 30 * time.Second})
	var xe *command.ExitError
	return !(errors.As(err, &xe) && xe.ExitCode == 1)
}

func seconds(d time.Duration) int { return max(int((d+time.Second-1)/time.Second), 1) }

// supervisorFiles is what the supervisor has decided so far.
type supervisorFiles map[string]string

func (f supervisorFiles) has(k string) bool { _, ok := f[k]; return ok }

// waitScript blocks on the target until one of the named files exists, then prints the
// supervisor's files. Waiting there costs one round trip instead of a poll per tick. It can send
// a signal first (the confirm, the commit), so that a signal and the wait for its answer are one
// ssh session rather than two: each session is an ssh client here and an sshd session, a login
// shell and sh there.
var waitScript = pauseScript + script("wait")

// pauseScript defines pause and nopause, with which the supervisor and the hub's waits block
// between their looks at the supervisor's files: on a fifo the other side writes a line to, a
// second at most (docs/deploy.md, "Waiting without polling").
var pauseScript = script("pause")

// sendFirst is a control file the wait creates before it waits (file "" sends nothing). Only
// the first attempt sends it: a retry after a dropped connection only waits, so a signal is sent
// once, as the hub decided it, and the watchdog's deadline answers one that never arrived.
type sendFirst struct{ file, content string }

// wait waits until one of files exists, retrying over new connections when the current one
// drops (an activation may restart sshd or the network) until deadline.
func (a activation) wait(ctx context.Context, h *command.Host, deadline time.Time, files ...string) (supervisorFiles, error) {
	return a.signalWait(ctx, h, deadline, sendFirst{}, true, files...)
}

// signalWait is wait that sends sig first; with retry false a dropped connection is an error
// at once (the confirm: its connection failing is the answer).
func (a activation) signalWait(ctx context.Context, h *command.Host, deadline time.Time, sig sendFirst, retry bool, files ...string) (supervisorFiles, error) {
	var last error
	for attempt := 0; ; attempt++ {
		file := "-"
		if sig.file != "" && attempt == 0 {
			file = sig.file
		}
		res, err := h.Run(ctx, command.Cmd{Args: append([]string{"sh", "-c", waitScript, "wait", a.id, file, sig.content}, files...),
			Timeout: time.Until(deadline)})
		if err == nil && res.DryRun {
			// Nothing ran: go through the protocol as if every step succeeded.
			return supervisorFiles{"status": "0", "confirmed": "1", "result": "committed"}, nil
		}
		if err == nil {
			return a.parseFiles(string(res.Stdout))
		}
		last = err
		var xe *command.ExitError
		if !retry || ctx.Err() != nil || !errors.As(err, &xe) || !xe.Unreachable() || time.Now().After(deadline) {
			return nil, fmt.Errorf("waiting for %s on the host: %w", strings.Join(files, " or "), last)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(time.Second<<min(attempt, 3), time.Until(deadline))):
		}
	}
}

// parseFiles reads what waitScript printed: the supervisor's files as name=value lines, the
// activation log as log: lines, and supervisor=gone or =dead for a supervisor that is no more.
func (a activation) parseFiles(stdout string) (supervisorFiles, error) {
	out := supervisorFiles{}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	var log []string
	for sc.Scan() {
		if l, ok := strings.CutPrefix(sc.Text(), "log:"); ok {
			log = append(log, l)
		} else if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			out[k] = v
		}
	}
	if len(log) > 0 {
		out["log"] = strings.Join(log, "\n")
	}
	if out["supervisor"] == "gone" {
		return out, &goneError{dir: a.dir()}
	}
	if out["supervisor"] == "dead" {
		return out, &deadError{dir: a.dir()}
	}
	return out, nil
}

// goneError is a supervisor whose directory vanished: the host rebooted (its /run is new) or
// someone cleared /run/hub-deploy. Either way the supervisor, and with it any pending rollback,
// is gone, and only the host's state says what it runs now.
type goneError struct{ dir string }

func (e *goneError) Error() string {
	return fmt.Sprintf("%s is gone: the host rebooted (or /run was cleared) during the deploy", e.dir)
}

// deadError is a supervisor that died (killed, out of memory) before it ended: nothing on the
// host will roll back unless the hub does (rescue).
type deadError struct{ dir string }

func (e *deadError) Error() string {
	return fmt.Sprintf("the supervisor on the host died without a result (see %s/supervisor.log there)", e.dir)
}

// rescueScript starts the uploaded supervisor again in rescue mode, detached like the first
// one, to roll back what its dead predecessor left.
//
// The dead supervisor's pid file goes first, and the script returns only once the rescuer has
// written its own: until then a wait would read the dead pid and report the rescuer dead too.
var rescueScript = script("rescue")

// rescue rolls back for a supervisor that died.
func (a activation) rescue(ctx context.Context, h *command.Host) error {
	_, err := h.Run(ctx, command.Cmd{Args: []string{"sh", "-c", rescueScript, "rescue", a.id}, Timeout: time.Minute})
	return err
}

// signal creates a control file (rollback) in the supervisor's directory, through the wait that
// sends signals (waitScript, which wakes the watchdog), waiting only for the file itself or the
// supervisor's end.
func (a activation) signal(ctx context.Context, h *command.Host, file, content string) error {
	_, err := a.signalWait(ctx, h, time.Now().Add(30*time.Second), sendFirst{file: file, content: content}, false, file, "done")
	return err
}

// confirmFresh creates the confirm file over a NEW ssh connection (command.Host.Fresh) and, on
// the same connection, waits for the watchdog's acknowledgement (confirmed) or its end (done):
// the hub's multiplexed master connection survives an sshd that no longer accepts logins, so
// only a fresh one proves the host can still be reached. A connection that fails is an error
// at once, not retried.
func (a activation) confirmFresh(ctx context.Context, h *command.Host, timeout time.Duration) (supervisorFiles, error) {
	return a.signalWait(ctx, h.Fresh(timeout), time.Now().Add(timeout+time.Minute), sendFirst{file: "confirm"}, false, "confirmed", "done")
}

// activate runs the supervisor and drives the magic rollback protocol: switch, confirm over a
// new connection, health and commit. From the supervisor's start on, every way out of this
// function either commits or leaves the host rolled back (by asking the supervisor, or by its
// own deadline when the host cannot be reached).
func (r *run) activate(ctx context.Context, t *parallel.Task, h *inventory.Host, remote *command.Host, sys System, before State) (err error) {
	t.Phase("activate")
	a := r.newActivation(h, sys)
	// Interrupted or cut off while starting, the start script may have launched the supervisor
	// before the ssh client went, and then the host is activating: launch asks. Only a supervisor
	// that is known not to exist means nothing changed.
	files, started, err := a.launch(ctx, remote, time.Now().Add(r.limits(h).ActivationTimeout), false, "status", "done")
	if !started {
		return hostError("activate", "start the activation supervisor", err, "nothing was changed on the host")
	}
	committed := false
	defer func() {
		if committed || !a.magic && a.profileOp == "none" {
			return
		}
		if rerr := r.abort(ctx, t, remote, a, err); rerr != nil {
			err = rerr
		}
	}()
	files, end, err := r.settle(ctx, t, remote, sys, a, files, err,
		"the supervisor died during the activation", "activate", "wait for switch-to-configuration")
	if end {
		return err
	}
	status, _ := strconv.Atoi(files["status"])
	if !a.magic {
		showLog(t, files)
	}
	if files.has("fell-back") && files["result"] == "boot" {
		committed = true
		r.recordDone(ctx, t, h, remote, sys, before)
		return r.bootOnly(ctx, t, h, remote, sys)
	}
	if status != 0 && status != 4 {
		if !a.magic && a.profileOp == "none" {
			return fmt.Errorf("activate: switch-to-configuration %s exited %d (see the activate log)", a.action, status)
		}
		return r.awaitRollback(ctx, t, remote, a, fmt.Sprintf("switch-to-configuration %s exited %d", a.action, status))
	}
	if a.magic {
		if end, err := r.confirm(ctx, t, remote, sys, a); end {
			return err
		}
		if end, err := r.commit(ctx, t, h, remote, sys, before, a); end {
			return err
		}
	}
	committed = true
	return r.finish(ctx, t, h, remote, sys, status, r.noteDone(h, sys, before))
}

// newActivation is the supervisor's brief for h: what to activate, whether the profile is set
// and whether the magic rollback guards it, with its confirm and health budgets.
func (r *run) newActivation(h *inventory.Host, sys System) activation {
	a := activation{id: r.id, action: r.opts.Action, out: sys.Out, profileOp: "none",
		magic: r.opts.Action == Switch || r.opts.Action == Test}
	if r.opts.Action == Switch || r.opts.Action == Boot {
		a.profileOp = "set"
	}
	a.confirm = r.limits(h).ConfirmTimeout
	setDefault(&a.confirm, 30*time.Second)
	a.health = healthBudget(h, r.opts)
	return a
}

// await waits until deadline for the supervisor's files names, sending sig first (sendFirst).
// Every step ends the same way when it cannot go on (end is true, err is the host's outcome):
// settle says how.
func (r *run) await(ctx context.Context, t *parallel.Task, remote *command.Host, sys System, a activation, deadline time.Time,
	sig sendFirst, dying, phase, what string, names ...string) (files supervisorFiles, end bool, err error) {
	files, err = a.signalWait(ctx, remote, deadline, sig, true, names...)
	return r.settle(ctx, t, remote, sys, a, files, err, dying, phase, what)
}

// settle ends a step whose wait failed: a supervisor that died is waited on to roll back (dying
// says when it died), a host that rebooted meanwhile is judged by what it runs now, and any
// other failure is a hostError of phase doing what.
func (r *run) settle(ctx context.Context, t *parallel.Task, remote *command.Host, sys System, a activation, files supervisorFiles, err error,
	dying, phase, what string) (supervisorFiles, bool, error) {
	switch {
	case isDead(err):
		return nil, true, r.awaitRollback(ctx, t, remote, a, dying)
	case isGone(err):
		return nil, true, r.afterReboot(ctx, t, remote, sys, err)
	case err != nil:
		return nil, true, hostError(phase, what, err, "")
	}
	return files, false, nil
}

// bootOnly ends a switch that switch inhibitors refused: the new system is the boot default,
// and with -reboot the host boots into it.
func (r *run) bootOnly(ctx context.Context, t *parallel.Task, h *inventory.Host, remote *command.Host, sys System) error {
	if !r.opts.Reboot {
		return parallel.Warn(StatusBootOnly, errors.New("switch refused by switch inhibitors: the new system is the boot default; reboot to run it (-reboot)"))
	}
	// The inhibitors only refuse a live switch: with -reboot the new system starts by booting.
	t.Logf("switch refused by switch inhibitors: rebooting into the new system (-reboot)")
	if err := r.reboot(ctx, t, h, remote, sys); err != nil {
		return err
	}
	t.Set("reboot", "done")
	return nil
}

// confirm proves over a NEW ssh connection that the activated host can still be logged in to,
// and waits for the watchdog's acknowledgement; end is true when the activation ends here.
func (r *run) confirm(ctx context.Context, t *parallel.Task, remote *command.Host, sys System, a activation) (end bool, err error) {
	t.Phase("confirm")
	files, err := a.confirmFresh(ctx, remote, a.confirm)
	if err != nil && !isDead(err) && !isGone(err) {
		if ctx.Err() != nil {
			return true, ctx.Err()
		}
		t.Logf("a new ssh connection failed: %v", err)
		why := "new ssh connections fail after the activation: " + firstLine(err.Error())
		// The shared connection usually still works: use it so the watchdog need not wait out
		// its deadline. If it does not, the deadline does the same.
		if serr := a.signal(ctx, remote, "rollback", why); serr != nil {
			t.Logf("asking for the rollback over the shared connection failed (%v); the watchdog rolls back at its deadline", serr)
		}
		return true, r.awaitRollback(ctx, t, remote, a, why)
	}
	// The watchdog acknowledges the confirm; if its deadline passed first it is rolling back.
	files, end, err = r.settle(ctx, t, remote, sys, a, files, err,
		"the supervisor died before the confirmation", "confirm", "wait for the watchdog's acknowledgement")
	if end {
		return true, err
	}
	if !files.has("confirmed") {
		return true, r.awaitRollback(ctx, t, remote, a, "the confirmation came too late")
	}
	showLog(t, files)
	return false, nil
}

// commit runs the health checks (none in a dry run or an emergency deploy) and sends the commit,
// which makes the new system the boot default; end is true when the activation ends here.
func (r *run) commit(ctx context.Context, t *parallel.Task, h *inventory.Host, remote *command.Host, sys System, before State, a activation) (end bool, err error) {
	t.Phase("health")
	switch {
	case r.exec.DryRun:
		t.Logf("dry run: health checks not run")
	case !r.opts.Emergency:
		if err := r.health(ctx, t, h, remote, before); err != nil {
			if ctx.Err() != nil {
				return true, ctx.Err()
			}
			if serr := a.signal(ctx, remote, "rollback", "health check failed: "+firstLine(err.Error())); serr != nil {
				t.Logf("asking for the rollback failed (%v); the watchdog rolls back on its own deadline", serr)
			}
			return true, r.awaitRollback(ctx, t, remote, a, err.Error())
		}
	default:
		t.Logf("emergency deploy: health checks skipped")
	}
	// The commit and the wait for the watchdog's end in one session; without the commit the
	// watchdog rolls back at its deadline.
	files, end, err := r.await(ctx, t, remote, sys, a, time.Now().Add(a.health+a.confirm+time.Minute), sendFirst{file: "commit", content: r.opts.Owner},
		"the supervisor died during the commit", "health", "commit", "done")
	if end {
		return true, err
	}
	if why := files["rolled-back"]; files["result"] != "committed" && strings.HasPrefix(why, "committing: ") {
		showLog(t, files)
		return true, fmt.Errorf("commit: the new system passed its checks but could not be made the boot default (%s); rolled back to generation %s (%s)",
			strings.TrimPrefix(why, "committing: "), files["prev-generation"], shortPath(files["prev-system"]))
	}
	if files["result"] != "committed" {
		return true, fmt.Errorf("health: the watchdog rolled back before the commit arrived: %s; the health checks took longer than their budget (each check's timeout × retries): raise them in host.toml", files["rolled-back"])
	}
	return false, nil
}

func isDead(err error) bool {
	_, ok := errors.AsType[*deadError](err)
	return ok
}

func isGone(err error) bool {
	_, ok := errors.AsType[*goneError](err)
	return ok
}

// rebootedError is a host that rebooted in the middle of its deploy, with what it runs now.
type rebootedError struct{ msg string }

func (e *rebootedError) Error() string { return e.msg }

// afterReboot reports a host whose supervisor vanished with a reboot. A guarded switch makes the
// new system the boot default only at its commit, so a reboot before it boots the previous
// system: the host's state, probed now, says what it really runs.
func (r *run) afterReboot(ctx context.Context, t *parallel.Task, remote *command.Host, sys System, gone error) error {
	t.Logf("%v", gone)
	st, err := Probe(context.WithoutCancel(ctx), remote, "", r.opts.ProbeTimeout)
	if err != nil {
		return &rebootedError{fmt.Sprintf("the host rebooted during the deploy and cannot be probed now (%v): check it with `go tool mage deploy:status %s`", firstLine(err.Error()), t.Host())}
	}
	t.Set("generation", genString(st.Generation))
	t.Set("store path", shortPath(st.Current))
	switch {
	case sys.Out != "" && st.Current == sys.Out && st.Profile == sys.Out:
		return &rebootedError{fmt.Sprintf("the host rebooted while the deploy committed: it runs and boots the new system (generation %s), but the deploy did not finish; check it with `go tool mage deploy:status %s`", genString(st.Generation), t.Host())}
	case sys.Out != "" && (st.Current == sys.Out || st.Profile == sys.Out):
		return &rebootedError{fmt.Sprintf("the host rebooted during the deploy and is inconsistent: it runs %s and boots %s (generation %s); deploy again or roll back with deploy:rollback", shortPath(st.Current), shortPath(st.Profile), genString(st.Generation))}
	}
	return &rebootedError{fmt.Sprintf("the host rebooted during the deploy, before the commit: it runs its previous system again, generation %s (%s), which is still its boot default; deploy again", genString(st.Generation), shortPath(st.Current))}
}

// showLog copies the activation's output into the host's log.
func showLog(t *parallel.Task, files supervisorFiles) {
	if log := files["log"]; log != "" {
		fmt.Fprintln(t, log)
	}
}

// awaitRollback waits for the watchdog to finish rolling back and reports the host failed.
func (r *run) awaitRollback(ctx context.Context, t *parallel.Task, remote *command.Host, a activation, why string) error {
	wctx := context.WithoutCancel(ctx)
	deadline := time.Now().Add(a.confirm + a.health + 2*time.Minute)
	files, err := a.wait(wctx, remote, deadline, "done")
	if isDead(err) {
		// Killed (or out of memory) before it ended: its rollback will never come. The hub
		// starts it again in rescue mode, which rolls back from what it recorded.
		t.Logf("%v: the hub rolls the host back itself", err)
		if rerr := a.rescue(wctx, remote); rerr != nil {
			return fmt.Errorf("%s; the supervisor died and the hub could not start the rollback (%v): check the host with `go tool mage deploy:status %s`", why, rerr, t.Host())
		}
		files, err = a.wait(wctx, remote, deadline, "done")
	}
	if isGone(err) {
		return r.afterReboot(wctx, t, remote, System{}, err)
	}
	if err != nil {
		return fmt.Errorf("%s; the host should roll back on its own: %w; check it with `go tool mage deploy:status %s`", why, err, t.Host())
	}
	// The activation's output and the rollback's, which the host log would otherwise lack for
	// a host that failed its confirm or health checks.
	showLog(t, files)
	t.Set("generation", genString(atoi(files["prev-generation"])))
	t.Set("store path", shortPath(files["prev-system"]))
	if files["result"] == "rolled-back" {
		// The watchdog's word is not proof: a previous generation deleted meanwhile (a gc
		// timer) or another admin's change leaves the host elsewhere. Say what it really runs.
		if st, perr := Probe(wctx, remote, "", r.opts.ProbeTimeout); perr == nil {
			t.Set("generation", genString(st.Generation))
			t.Set("store path", shortPath(st.Current))
			if oerr := checkRolledBack(a.action, st, files["prev-system"], atoi(files["prev-generation"])); oerr != nil {
				return fmt.Errorf("%s; the rollback did not restore the previous system: %w", why, oerr)
			}
		}
		return fmt.Errorf("rolled back to generation %s (%s): %s", files["prev-generation"], shortPath(files["prev-system"]), files["rolled-back"])
	}
	return fmt.Errorf("%s; the supervisor ended with %q", why, files["result"])
}

// abort runs when activate returns without a commit: it asks the supervisor to roll back (on
// Ctrl-C too) and waits for it, so the host ends on a consistent generation either way.
func (r *run) abort(ctx context.Context, t *parallel.Task, remote *command.Host, a activation, cause error) error {
	cctx := context.WithoutCancel(ctx)
	files, err := a.wait(cctx, remote, time.Now().Add(5*time.Second), "done")
	if err == nil && files.has("result") {
		return nil // it already ended: awaitRollback or the caller reported it
	}
	if isDead(err) {
		return r.awaitRollback(cctx, t, remote, a, "the supervisor died")
	}
	if isGone(err) {
		if _, reported := errors.AsType[*rebootedError](cause); reported {
			return nil
		}
		return r.afterReboot(cctx, t, remote, System{}, err)
	}
	why := "the deploy was interrupted"
	if cause != nil && ctx.Err() == nil {
		why = "deploy failed: " + firstLine(cause.Error())
	}
	t.Logf("asking the host to roll back: %s", why)
	if serr := a.signal(cctx, remote, "rollback", why); serr != nil {
		t.Logf("could not reach the host (%v): its watchdog rolls back on its own within %s", serr, a.confirm+a.health)
	}
	rerr := r.awaitRollback(cctx, t, remote, a, why)
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), rerr)
	}
	return rerr
}
