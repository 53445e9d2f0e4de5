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
var superviseSource string

// superviseScript is the supervisor as the hub uploads it: pauseScript's functions, then
// supervise.sh.
var superviseScript = pauseScript + superviseSource

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
	Recorded    bool   // the probe wrote the record it was given (probe)
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
		Generation: linkGeneration(kv["profile"]), Systemd: kv["systemd"] == "1", LastDeploy: kv["last"],
		Recorded: kv["recorded"] == "1"}
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
	return probe(ctx, h, newSystem, "", timeout)
}

// probe is Probe that first writes record, when not empty, as the host's record of the last
// deploy (lastFile): a deploy's end records and reads the host in one round trip.
func probe(ctx context.Context, h *command.Host, newSystem, record string, timeout time.Duration) (State, error) {
	args := []string{"sh", "-c", probeScript, "probe", newSystem}
	if record != "" {
		args = append(args, record)
	}
	res, err := h.Run(ctx, command.Cmd{Args: args, Timeout: timeout})
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
// holder the hub proved dead), $7 the gone holder's id, $8 the MiB /boot must have free (0: no
// check; exit 5 and no lock when it has less, boot_free= says what it has, "none" for a /boot
// that is not a mount of its own). Exit 3: held; the owner file follows.
var lockScript = script("lock")

// bootFree is what the lock script found on /boot.
type bootFree struct {
	checked bool // a check was asked for
	mounted bool // /boot is a separate mount (else there was nothing to check)
	mib     int
}

// ErrLocked is returned when another deploy holds the host's lock.
var ErrLocked = errors.New("another deploy holds the host's lock")

// acquireLock takes the target's deploy lock. A stale lock (older than stale, its supervisor
// gone) is broken only with force, because its holder might still be a hub in its copy phase. A
// lock whose holder is provably gone (a hub on this machine whose process no longer exists, and
// no supervisor running on the host: a crashed or killed hub) is broken at once, with or
// without force, and broke says which.
//
// With minFreeMiB > 0 the same round trip first checks that /boot has that much space free
// (boot says what it found): a deploy whose boot entry would not fit is refused without the lock.
func acquireLock(ctx context.Context, h *command.Host, me lockInfo, stale time.Duration, force bool, minFreeMiB int, timeout time.Duration) (broke string, boot bootFree, err error) {
	f := "0"
	if force {
		f = "1"
	}
	return lockAttempt(ctx, h, me, stale, f, "", minFreeMiB, timeout)
}

func lockAttempt(ctx context.Context, h *command.Host, me lockInfo, stale time.Duration, f, goneID string, minFreeMiB int, timeout time.Duration) (broke string, boot bootFree, err error) {
	res, err := h.Run(ctx, command.Cmd{Args: []string{"sh", "-c", lockScript, "lock", me.ID, me.Owner,
		strconv.Itoa(me.PID), "-", strconv.Itoa(int(stale.Seconds())), f, goneID, strconv.Itoa(max(minFreeMiB, 0))}, Timeout: timeout})
	out := string(res.Stdout)
	kv := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			kv[k] = v
		}
	}
	if minFreeMiB > 0 && !res.DryRun {
		boot.checked = true
		if v, ok := kv["boot_free"]; ok && v != "none" {
			n, perr := strconv.Atoi(v)
			if perr != nil {
				return "", boot, fmt.Errorf("%w: unexpected output %q", errBootMeasure, v)
			}
			boot.mounted, boot.mib = true, n
		}
	}
	var xe *command.ExitError
	if errors.As(err, &xe) && xe.ExitCode == 5 && boot.mounted {
		return "", boot, fmt.Errorf("%w: /boot has %d MiB free, %d needed", errBootFull, boot.mib, minFreeMiB)
	}
	if err == nil {
		// A dry run printed the command and holds nothing.
		if strings.Contains(out, "broke-stale") {
			return "a stale deploy lock (-force)", boot, nil
		}
		return "", boot, nil // a lock of a gone hub is named by the caller, who knows whose it was
	}
	if !errors.As(err, &xe) || xe.ExitCode != 3 {
		return "", boot, err
	}
	holder := parseLock(out)
	if goneID == "" && kv["supervisor_alive"] == "0" && holderGone(holder, me) {
		if _, _, err := lockAttempt(ctx, h, me, stale, "gone", holder.ID, 0, timeout); err == nil {
			return fmt.Sprintf("the deploy lock of %s, whose hub is gone (no process %d on this machine, no supervisor on the host)", holder.Owner, holder.PID), boot, nil
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
	return "", boot, fmt.Errorf("%w: %s; %s", ErrLocked, holder, hint)
}

// errBootFull is a /boot without the space deploy.boot_min_free_mib asks for; errBootMeasure
// one whose free space could not be read.
var (
	errBootFull    = errors.New("not enough space on /boot")
	errBootMeasure = errors.New("df /boot")
)

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
