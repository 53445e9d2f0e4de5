package deploy

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nixos-hub/hub/internal/command"
	"github.com/nixos-hub/hub/internal/piddir"
)

//go:embed supervise.sh
var superviseScript string

// Paths on the target. /run is per boot, so a reboot clears the lock and supervisor state;
// /nix/var survives it and keeps the last-deploy record.
const (
	profilePath = "/nix/var/nix/profiles/system"
	lockDir     = "/run/hub-deploy.lock"
	stateRoot   = "/run/hub-deploy"
	lastFile    = "/nix/var/hub-deploy/last"
)

// bootParts are the parts of a system whose change needs a reboot to take effect.
var bootParts = []string{"kernel", "initrd", "kernel-modules", "systemd"}

// probeScript reports in one round trip what the target runs. $1 is the system about to be
// deployed (or empty), whose boot parts are compared with the booted system's.
var probeScript = script("probe")

// State is what a host runs, as one probe sees it.
type State struct {
	Current     string // /run/current-system
	Booted      string // /run/booted-system
	Profile     string // the system profile's store path (what the next boot runs)
	Generation  int    // the system profile's current generation; 0 when there is none
	Systemd     bool   // the host runs systemd (/run/systemd/system exists)
	LastDeploy  string // "time by owner" of the last committed hub deploy, empty if none
	RebootParts []string
	// NewRebootParts are the boot parts that differ between the booted system and the probed
	// new system; nil when no new system was given.
	NewRebootParts []string
}

// RebootNeeded reports whether what runs now differs from the booted system in a boot part.
func (s State) RebootNeeded() bool { return len(s.RebootParts) > 0 }

func parseState(out string) State {
	kv := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			kv[k] = v
		}
	}
	s := State{Current: kv["current"], Booted: kv["booted"], Profile: kv["profile_path"],
		Generation: linkGeneration(kv["profile"]), Systemd: kv["systemd"] == "1", LastDeploy: kv["last"]}
	for _, p := range bootParts {
		if s.Booted != "" && kv["booted_"+p] != kv["current_"+p] {
			s.RebootParts = append(s.RebootParts, p)
		}
		if n, ok := kv["new_"+p]; ok && s.Booted != "" && kv["booted_"+p] != n {
			s.NewRebootParts = append(s.NewRebootParts, p)
		}
	}
	return s
}

// linkGeneration parses "system-12-link" into 12.
func linkGeneration(link string) int {
	rest, ok := strings.CutPrefix(link, "system-")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSuffix(rest, "-link"))
	if err != nil || !strings.HasSuffix(rest, "-link") {
		return 0
	}
	return n
}

// Probe reads the host's running, booted and profile system in one ssh round trip; newSystem,
// when not empty, is also compared with the booted system's boot parts.
func Probe(ctx context.Context, h *command.Host, newSystem string, timeout time.Duration) (State, error) {
	res, err := h.Run(ctx, command.Cmd{Args: []string{"sh", "-c", probeScript, "probe", newSystem}, Timeout: timeout})
	if err != nil {
		return State{}, err
	}
	return parseState(string(res.Stdout)), nil
}

// lockInfo is the owner file of the target's deploy lock.
type lockInfo struct {
	ID    string
	Owner string // user@machine of the hub
	PID   int    // the hub's process on its machine
	Time  time.Time
}

func (l lockInfo) String() string {
	return fmt.Sprintf("%s (pid %d, deploy %s, since %s)", l.Owner, l.PID, l.ID, l.Time.UTC().Format(time.RFC3339))
}

// lockScript takes the lock with mkdir, which is atomic. $1 id, $2 owner, $3 pid, $4 unused
// (the time is the target's own: a lock's age must not mix the hub's clock with the target's),
// $5 stale seconds, $6 force (1 breaks a stale lock; "gone" breaks it whatever its age, for a
// holder the hub proved dead). Exit 3: held; the owner file follows.
var lockScript = script("lock")

// ErrLocked is returned when another deploy holds the host's lock.
var ErrLocked = errors.New("another deploy holds the host's lock")

// acquireLock takes the target's deploy lock. A stale lock (older than stale, its supervisor
// gone) is broken only with force, because its holder might still be a hub in its copy phase. A
// lock whose holder is provably gone (a hub on this machine whose process no longer exists, and
// no supervisor running on the host: a crashed or killed hub) is broken at once, with or
// without force, and broke says which.
func acquireLock(ctx context.Context, h *command.Host, me lockInfo, stale time.Duration, force bool, timeout time.Duration) (broke string, err error) {
	f := "0"
	if force {
		f = "1"
	}
	return lockAttempt(ctx, h, me, stale, f, "", timeout)
}

func lockAttempt(ctx context.Context, h *command.Host, me lockInfo, stale time.Duration, f, goneID string, timeout time.Duration) (broke string, err error) {
	res, err := h.Run(ctx, command.Cmd{Args: []string{"sh", "-c", lockScript, "lock", me.ID, me.Owner,
		strconv.Itoa(me.PID), "-", strconv.Itoa(int(stale.Seconds())), f, goneID}, Timeout: timeout})
	out := string(res.Stdout)
	if err == nil {
		// A dry run printed the command and holds nothing.
		if strings.Contains(out, "broke-stale") {
			return "a stale deploy lock (-force)", nil
		}
		return "", nil // a lock of a gone hub is named by the caller, who knows whose it was
	}
	var xe *command.ExitError
	if !errors.As(err, &xe) || xe.ExitCode != 3 {
		return "", err
	}
	holder := parseLock(out)
	kv := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			kv[k] = v
		}
	}
	if goneID == "" && kv["supervisor_alive"] == "0" && holderGone(holder, me) {
		if _, err := lockAttempt(ctx, h, me, stale, "gone", holder.ID, timeout); err == nil {
			return fmt.Sprintf("the deploy lock of %s, whose hub is gone (no process %d on this machine, no supervisor on the host)", holder.Owner, holder.PID), nil
		}
	}
	age, _ := strconv.Atoi(kv["age"])
	hint := "wait for it to finish"
	switch {
	case kv["supervisor_alive"] == "1":
		hint += " (its activation is still running on the host)"
	case time.Duration(age)*time.Second >= stale:
		hint = "it looks stale: if that deploy is gone, run again with -force to break it"
	default:
		hint += fmt.Sprintf(", or if its hub is gone, -force breaks it once it is older than %s", stale)
	}
	return "", fmt.Errorf("%w: %s; %s", ErrLocked, holder, hint)
}

// holderGone reports whether the lock's holder is provably dead: a hub on this machine (same
// user@machine) whose process no longer exists. A hub elsewhere cannot be proved dead from
// here, and a live pid may be the holder, so both keep the lock.
func holderGone(holder, me lockInfo) bool {
	if holder.Owner != me.Owner || holder.PID <= 0 || holder.PID == me.PID {
		return false
	}
	return !piddir.Alive(holder.PID)
}

func parseLock(out string) lockInfo {
	var l lockInfo
	for _, line := range strings.Split(out, "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "id":
			l.ID = v
		case "owner":
			l.Owner = v
		case "pid":
			l.PID, _ = strconv.Atoi(v)
		case "time":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				l.Time = time.Unix(n, 0)
			}
		}
	}
	return l
}

// unlockScript removes the lock if deploy $1 still owns it. While that deploy's supervisor is
// still running (the hub gave up waiting for it, or was interrupted), the lock is handed to the
// supervisor instead, which removes it when it finishes: until then the host is mid-activation
// or mid-rollback, and a second deploy must not start. done is checked again after the hand-over
// because the supervisor may have finished in between.
var unlockScript = script("unlock")

// releaseLock removes the lock if this deploy still owns it, or hands it to the deploy's
// supervisor while that still runs (handedOver).
func releaseLock(ctx context.Context, h *command.Host, id string) (handedOver bool, err error) {
	res, err := h.Run(ctx, command.Cmd{Args: []string{"sh", "-c", unlockScript, "unlock", id}, Timeout: 30 * time.Second})
	return strings.Contains(string(res.Stdout), "handed-over"), err
}

// bootSpace returns the free MiB of /boot, or ok=false when /boot is not a separate mount.
func bootSpace(ctx context.Context, h *command.Host, timeout time.Duration) (mib int, ok bool, err error) {
	script := `if ! mountpoint -q /boot 2>/dev/null; then echo none; exit 0; fi; df --output=avail -B1M /boot | tail -n 1`
	res, err := h.Run(ctx, command.Cmd{Args: []string{"sh", "-c", script}, Timeout: timeout})
	if err != nil {
		return 0, false, err
	}
	out := strings.TrimSpace(string(res.Stdout))
	if out == "none" || res.DryRun {
		return 0, false, nil
	}
	n, err := strconv.Atoi(out)
	if err != nil {
		return 0, false, fmt.Errorf("df /boot: unexpected output %q", out)
	}
	return n, true, nil
}
