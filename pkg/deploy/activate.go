package deploy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nixos-hub/hub/pkg/command"
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
const startScript = `d=` + stateRoot + `/$1
# Keep the ten newest finished deploys' directories (their logs, for deploy:status and a look
# after the fact); older finished ones go. Unfinished ones stay whatever their age.
ls -1dt ` + stateRoot + `/*/ 2>/dev/null | tail -n +11 | while read -r old; do [ -e "$old/done" ] && rm -rf "$old"; done
mkdir -p "$d" && cat > "$d/supervise.sh" || exit 1
tail -n 1 "$d/supervise.sh" | grep -q '^# end of supervise.sh' || { echo "the supervisor upload was cut short" >&2; exit 1; }
shift
if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null; then
  exec systemd-run --unit="hub-deploy-$(basename "$d")" --collect --quiet --setenv=PATH="$PATH" sh "$d/supervise.sh" "$d" "$@"
fi
setsid -f sh "$d/supervise.sh" "$d" "$@" </dev/null >"$d/supervisor.log" 2>&1
`

func (a activation) start(ctx context.Context, h *command.Host) error {
	profile, magic := a.profileOp, "0"
	if a.magic {
		magic = "1"
	}
	args := []string{"sh", "-c", startScript, "start", a.id, string(a.action), a.out, profile, magic,
		strconv.Itoa(seconds(a.confirm)), strconv.Itoa(seconds(a.health))}
	_, err := h.Run(ctx, command.Cmd{Args: args, Stdin: strings.NewReader(superviseScript), Timeout: 2 * time.Minute})
	return err
}

// launchedScript exits 0 once the supervisor has written its pid (it does so first), 1 when its
// directory does not exist or no pid appears within 3 s: setsid -f has returned by then if it
// ran at all.
const launchedScript = `d=` + stateRoot + `/$1; i=0
while [ "$i" -lt 30 ]; do
  [ -e "$d/pid" ] && exit 0
  [ -d "$d" ] || exit 1
  sleep 0.1; i=$((i + 1))
done
exit 1
`

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
// supervisor's files. Waiting there costs one round trip instead of a poll per tick.
const waitScript = `d=` + stateRoot + `/$1; shift
while :; do
  # /run does not survive a reboot: a missing directory means the host restarted (or /run was
  # cleared) and the supervisor with it.
  [ -d "$d" ] || { echo "supervisor=gone"; echo "boot-id-now=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)"; exit 0; }
  for f in "$@"; do [ -e "$d/$f" ] && break 2; done
  p=$(cat "$d/pid" 2>/dev/null) && [ -n "$p" ] && ! kill -0 "$p" 2>/dev/null && [ ! -e "$d/done" ] && { echo "supervisor=dead"; break; }
  sleep 0.1
done
for f in status confirmed committing result rolled-back rolling-back fell-back prev-generation prev-system boot-id; do
  [ -e "$d/$f" ] && echo "$f=$(cat "$d/$f")"
done
# The activation's output rides along, saving a round trip to fetch it.
tail -n 40 "$d/activate.log" 2>/dev/null | sed 's/^/log:/'
exit 0
`

// wait waits until one of files exists, retrying over new connections when the current one
// drops (an activation may restart sshd or the network) until deadline.
func (a activation) wait(ctx context.Context, h *command.Host, deadline time.Time, files ...string) (supervisorFiles, error) {
	var last error
	for attempt := 0; ; attempt++ {
		res, err := h.Run(ctx, command.Cmd{Args: append([]string{"sh", "-c", waitScript, "wait", a.id}, files...),
			Timeout: time.Until(deadline)})
		if err == nil && res.DryRun {
			// Nothing ran: go through the protocol as if every step succeeded.
			return supervisorFiles{"status": "0", "confirmed": "1", "result": "committed"}, nil
		}
		if err == nil {
			out := supervisorFiles{}
			sc := bufio.NewScanner(strings.NewReader(string(res.Stdout)))
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
		last = err
		var xe *command.ExitError
		if ctx.Err() != nil || !errors.As(err, &xe) || !xe.Unreachable() || time.Now().After(deadline) {
			return nil, fmt.Errorf("waiting for %s on the host: %w", strings.Join(files, " or "), last)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(time.Second<<min(attempt, 3), time.Until(deadline))):
		}
	}
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
const rescueScript = `d=` + stateRoot + `/$1
[ -e "$d/supervise.sh" ] && [ ! -e "$d/done" ] || exit 3
rm -f "$d/pid"
if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null; then
  systemd-run --unit="hub-deploy-$(basename "$d")-rescue" --collect --quiet --setenv=PATH="$PATH" sh "$d/supervise.sh" "$d" rescue || exit
else
  setsid -f sh "$d/supervise.sh" "$d" rescue </dev/null >>"$d/supervisor.log" 2>&1
fi
i=0
until [ -s "$d/pid" ] || [ -e "$d/done" ]; do
  i=$((i+1)); [ "$i" -le 300 ] || { echo "the rescue supervisor did not start within 30 s" >&2; exit 4; }
  sleep 0.1
done
`

// rescue rolls back for a supervisor that died.
func (a activation) rescue(ctx context.Context, h *command.Host) error {
	_, err := h.Run(ctx, command.Cmd{Args: []string{"sh", "-c", rescueScript, "rescue", a.id}, Timeout: time.Minute})
	return err
}

// signal creates a control file (confirm, commit, rollback) in the supervisor's directory.
func (a activation) signal(ctx context.Context, h *command.Host, file, content string) error {
	script := `d=` + stateRoot + `/$1; [ -d "$d" ] || exit 3; printf '%s\n' "$3" > "$d/$2.tmp" && mv "$d/$2.tmp" "$d/$2"`
	_, err := h.Run(ctx, command.Cmd{Args: []string{"sh", "-c", script, "signal", a.id, file, content}, Timeout: 30 * time.Second})
	return err
}

// confirmFresh creates the confirm file over a NEW ssh connection (command.Host.Fresh): the
// hub's multiplexed master connection survives an sshd that no longer accepts logins, so only a
// fresh one proves the host can still be reached.
func (a activation) confirmFresh(ctx context.Context, h *command.Host, timeout time.Duration) error {
	_, err := h.Fresh(timeout).Run(ctx, command.Cmd{Args: []string{"sh", "-c",
		`d=` + stateRoot + `/$1; [ -d "$d" ] && [ ! -e "$d/done" ] && touch "$d/confirm"`, "confirm", a.id},
		Timeout: timeout + 5*time.Second})
	return err
}
