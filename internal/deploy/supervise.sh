# shellcheck shell=sh
# hub deploy supervisor: activates one system on this host and is its magic-rollback watchdog.
# It runs detached from the hub's ssh session (setsid, or a transient systemd unit) so that a
# dropped connection, or an activation that breaks sshd, cannot kill it before it has either been
# confirmed or rolled back. Everything it decides is written as files in its directory, which the
# hub reads over ssh: pid, prev-generation, prev-system, status (switch-to-configuration's exit
# status), fell-back (switch refused, boot used), confirmed, committing, rolled-back (reason),
# result, done.
#
# A guarded switch (magic 1) is reboot-safe: it activates with `test`, leaving the system profile
# and the boot entry alone, and makes the new system the boot default (profile, then `boot`)
# only at commit, after the confirmation and the health checks. A crash, power loss or reboot at
# any point before that boots the previous system, since nothing else survives a reboot: this
# process and its directory under /run are gone with it.
#
# Arguments: dir action out profile magic confirm_s health_s
#   profile: "set" (nix-env --set out), "gen:N" (switch to generation N) or "none"
#   magic:   1 waits for the hub's confirm (new ssh connection) and commit files, else rolls back
# Or: dir rescue. The hub found the supervisor of dir dead (killed, out of memory) before it
# ended: this rolls back as it would have, from the arguments and state it recorded.
set -u
trap '' HUP
rescue=0
if [ "${2:-}" = rescue ]; then
  rescue=1
  # shellcheck disable=SC2046 # the recorded arguments are words without blanks (store paths)
  set -- "$1" $(cat "$1/args")
fi
dir=$1 action=$2 out=$3 profile_op=$4 magic=$5 confirm=$6 health=$7
profile=/nix/var/nix/profiles/system
cd "$dir" || exit 1

# Wake-ups instead of polling. Each wait of the hub's blocks on a fifo of its own (w.<pid>, made
# by wait.sh): every change of state here writes a line to each. The watchdog in turn blocks on
# the fifo "wake", which the hub's wait writes a line to once it has created a control file
# (confirm, commit, rollback). Opened read-write, a fifo never blocks its writer, whether its
# reader is there, gone or not yet come; a line written when no reader holds it is lost, which is
# why every waiter looks at the files again after it has opened its fifo and before it blocks.
notify() {
  for w in w.*; do poke "$w"; done
  return 0
}
put() { printf '%s\n' "$2" > "$1.tmp" && mv "$1.tmp" "$1"; notify; }
# Deadlines are measured on the monotonic clock (/proc/uptime, in centiseconds), not by counting
# loop turns: on a loaded host each "sleep 0.1" takes far longer than 0.1 s, and the wall clock
# may jump when an activation starts time synchronisation.
tick() { read -r up _ < /proc/uptime; now=$(( ${up%.*} * 100 + 1${up#*.} - 100 )); }
# generation prints the number of the generation the system profile points at ("" for none).
generation() {
  g=$(readlink "$profile" 2>/dev/null); g=${g#system-}; g=${g%-link}
  case $g in '' | *[!0-9]*) ;; *) printf '%s\n' "$g" ;; esac
}

if [ "$rescue" = 1 ]; then
  prev_gen=; read -r prev_gen 2>/dev/null < prev-generation
  prev_sys=; read -r prev_sys 2>/dev/null < prev-system
else
  prev_gen=$(generation)
  prev_sys=$(readlink /run/current-system 2>/dev/null || true)
  # Written before the pid, which the hub waits for: no reader looks at these before it exists,
  # so they need no rename of their own.
  printf '%s\n' "$prev_gen" > prev-generation
  printf '%s\n' "$prev_sys" > prev-system
  printf '%s %s %s %s %s %s\n' "$action" "$out" "$profile_op" "$magic" "$confirm" "$health" > args
  bid=; read -r bid 2>/dev/null < /proc/sys/kernel/random/boot_id
  printf '%s\n' "$bid" > boot-id
fi
# Atomically: the hub polls for this file and takes an empty one for a dead supervisor.
echo $$ > pid.tmp && mv pid.tmp pid

# The hub hands its deploy lock over (an "unlock" file) when it stops waiting while this still
# runs: the lock then goes when this ends. The id of the lock is the name of this directory.
release_lock() {
  [ -e unlock ] && grep -qx "id=${dir##*/}" /run/hub-deploy.lock/owner 2>/dev/null && rm -rf /run/hub-deploy.lock
  return 0
}

finish() {
  put result "$1"
  : > ./done
  notify
  release_lock
  exit 0
}

rollback() {
  # What the rollback does goes into activate.log too, which the hub shows with the failure.
  exec >> activate.log 2>&1
  nopause
  echo "== rolling back: $1"
  put rolling-back "$1"
  profile_changed=0
  if [ "$profile_op" != none ] && [ -n "$prev_gen" ] && [ "$(generation)" != "$prev_gen" ]; then
    profile_changed=1
    nix-env -p "$profile" --switch-generation "$prev_gen" || echo "could not reset the profile to generation $prev_gen"
  fi
  case $action in
    # A guarded switch touched neither profile nor boot entry before its commit: re-activating
    # the previous system is all it takes. Once the commit changed the profile, the boot entry
    # is written again too.
    switch)
      back=$prev_sys how="switch"
      if [ "$defer" = 1 ] && [ "$profile_changed" = 0 ]; then how="test"; fi ;;
    test) back=$prev_sys; how="test" ;;
    *) back=$(readlink -f "$profile" 2>/dev/null || true); how=boot ;;
  esac
  if [ -n "$back" ] && [ -x "$back/bin/switch-to-configuration" ]; then
    "$back/bin/switch-to-configuration" "$how" || echo "switch-to-configuration $how of $back exited $?"
  else
    echo "no previous system to return to"
  fi
  put rolled-back "$1"
  finish rolled-back
}

# set_profile makes the system profile point at the new system (profile_op), the step a reboot
# makes permanent.
set_profile() {
  case $profile_op in
    set) nix-env -p "$profile" --set "$out" >> activate.log 2>&1 ;;
    gen:*) nix-env -p "$profile" --switch-generation "${profile_op#gen:}" >> activate.log 2>&1 ;;
  esac
}

live=$action defer=0
if [ "$action" = switch ] && [ "$magic" = 1 ]; then
  live=test defer=1
fi
if [ "$rescue" = 1 ]; then
  # The dead supervisor's switch-to-configuration may still run (it was its child): let it end
  # (a minute at most) before the previous system is activated over it.
  i=0
  while [ "$i" -lt 600 ] && pgrep -f "$out/bin/switch-to-configuration" >/dev/null 2>&1; do
    sleep 0.1; i=$((i + 1))
  done
  [ -e status ] || put status 101
  rollback "the supervisor died before it ended; rolled back by the hub"
fi
if [ "$defer" = 0 ]; then
  set_profile || { put status 100; rollback "setting the system profile failed"; }
fi

"$out/bin/switch-to-configuration" "$live" >> activate.log 2>&1
rc=$?
# NixOS prints "Checking switch inhibitors... done" on every switch: only its refusal counts.
if [ "$rc" -ne 0 ] && [ "$action" = switch ] && grep -q 'listed as switch inhibitors' activate.log; then
  # NixOS refuses a live switch when systemd or dbus change: the system is for the next boot,
  # and nothing running changed, so there is nothing to guard.
  echo "switch refused by switch inhibitors: falling back to boot" >> activate.log
  put fell-back boot
  if [ "$defer" = 1 ]; then
    set_profile || { put status 100; rollback "setting the system profile failed"; }
  fi
  "$out/bin/switch-to-configuration" boot >> activate.log 2>&1
  rc=$?
  if [ "$rc" -eq 0 ]; then
    # The hub stops waiting when "status" exists and then reads "result": result goes first.
    put result boot
    put status 0
    : > ./done
    notify
    release_lock
    exit 0
  fi
  put status "$rc"
  rollback "switch-to-configuration boot exited $rc"
fi
put status "$rc"
if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ]; then
  [ "$profile_op" = none ] && [ "$magic" != 1 ] && finish failed
  rollback "switch-to-configuration $action exited $rc"
fi
[ "$magic" = 1 ] || finish activated

# Stage 1: a new ssh connection must prove the host is still reachable.
tick; end=$((now + confirm * 100))
while [ ! -e confirm ]; do
  [ -e rollback ] && rollback "$(cat rollback)"
  tick; [ "$now" -ge "$end" ] && rollback "no confirmation over a new ssh connection within ${confirm}s"
  pause wake
done
# The hub waits for this acknowledgement: a confirm that arrived after the deadline is not one.
put confirmed 1
# Stage 2: the hub runs the health checks and commits, or asks for the rollback.
tick; end=$((now + health * 100))
while [ ! -e commit ]; do
  [ -e rollback ] && rollback "$(cat rollback)"
  tick; [ "$now" -ge "$end" ] && rollback "no commit from the hub within ${health}s of the confirmation"
  pause wake
done
# Stage 3, the commit: only now does the new system become what the host boots.
nopause
if [ "$defer" = 1 ]; then
  put committing 1
  set_profile || rollback "committing: setting the system profile to the new system failed"
  "$out/bin/switch-to-configuration" boot >> activate.log 2>&1 || rollback "committing: switch-to-configuration boot exited $?"
fi
finish committed
# end of supervise.sh (the hub starts this only when the upload ends with this line)
