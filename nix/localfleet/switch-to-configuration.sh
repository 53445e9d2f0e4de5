#!/bin/sh
# switch-to-configuration of @out@ with NixOS semantics (see nix/localfleet/README.md).
set -eu
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
out=@out@
action=${1:-}
case "$action" in
  switch | boot | test | dry-activate) ;;
  *)
    echo "Usage: $0 [switch|boot|test|dry-activate]" >&2
    exit 1
    ;;
esac

mkdir -p /run/localfleet /nix/var/localfleet
exec 9>/run/localfleet/switch-to-configuration.lock
if ! flock -n 9; then
  echo "Could not acquire lock: another switch-to-configuration is running" >&2
  exit 1
fi

current=$(readlink /run/current-system 2>/dev/null || true)
booted=$(readlink /run/booted-system 2>/dev/null || true)

same() { [ "$(readlink "$1" 2>/dev/null || true)" = "$(readlink "$2" 2>/dev/null || true)" ]; }

# A systemd host's units: the unit files of a system's etc/systemd/system (not the .wants links).
units() { [ -d "$1/etc/systemd/system" ] && find "$1/etc/systemd/system/" -mindepth 1 -maxdepth 1 ! -type d -printf '%f\n' | sort; }
list() { echo "$*" | sed 's/ /, /g'; }
# unit_changes sets stop, restart and start as NixOS's switch-to-configuration decides them:
# units only the running system has are stopped, units whose file differs are restarted, units
# only the new system has are started.
unit_changes() {
  stop="" restart="" start=""
  for u in $(units "$current"); do
    [ -e "$out/etc/systemd/system/$u" ] || stop="${stop:+$stop }$u"
  done
  for u in $(units "$out"); do
    if [ -z "$current" ] || [ ! -e "$current/etc/systemd/system/$u" ]; then
      start="${start:+$start }$u"
    elif ! cmp -s "$current/etc/systemd/system/$u" "$out/etc/systemd/system/$u"; then
      restart="${restart:+$restart }$u"
    fi
  done
}

if [ "$action" = dry-activate ] && [ -n "@systemdHost@" ]; then
  echo "would activate the configuration..."
  unit_changes
  [ -z "$stop" ] || echo "would stop the following units: $(list $stop)"
  [ -z "$restart" ] || echo "would restart the following units: $(list $restart)"
  [ -z "$start" ] || echo "would start the following units: $(list $start)"
  for f in kernel initrd kernel-modules systemd; do
    if [ -n "$booted" ] && ! same "$booted/$f" "$out/$f"; then
      echo "would require a reboot: $f differs from the booted system"
    fi
  done
  exit 0
fi

if [ "$action" = dry-activate ]; then
  echo "would activate the configuration..."
  if [ -z "$current" ] || ! cmp -s "$current/etc/ssh/sshd_config" "$out/etc/ssh/sshd_config"; then
    echo "would restart the following units: sshd.service"
  fi
  if [ -n "@failingUnit@" ]; then
    echo "would start the following units: localfleet-failing.service"
  fi
  for f in kernel initrd kernel-modules systemd; do
    if [ -n "$booted" ] && ! same "$booted/$f" "$out/$f"; then
      echo "would require a reboot: $f differs from the booted system"
    fi
  done
  exit 0
fi

if [ "$action" = switch ] || [ "$action" = test ]; then
  # NixOS's pre-switch check: a change in the switch inhibitors refuses a live switch.
  echo "Checking switch inhibitors..." >&2
  if [ -f "$booted/switch-inhibitors" ] && [ -f "$out/switch-inhibitors" ] &&
    ! cmp -s "$booted/switch-inhibitors" "$out/switch-inhibitors"; then
    {
      echo "Found diff in switch inhibitors:"
      diff "$booted/switch-inhibitors" "$out/switch-inhibitors" || true
      echo "The new configuration contains changes to packages that were"
      echo "listed as switch inhibitors."
      echo "If you really want to switch into this configuration directly, then"
      echo "you can set NIXOS_NO_CHECK=1 to ignore these pre-switch checks."
    } >&2
    exit 1
  fi
  echo "Checking switch inhibitors... done" >&2
fi

if [ "$action" = switch ] || [ "$action" = boot ]; then
  # The boot entry is what the next boot runs: the profile's current generation, as the
  # bootloader installer of NixOS writes it.
  entry=$(readlink -f /nix/var/nix/profiles/system 2>/dev/null || true)
  [ -n "$entry" ] || entry=$out
  echo "updating the boot entry: $entry" >&2
  ln -sfn "$entry" /nix/var/localfleet/.boot-entry.tmp
  mv -T /nix/var/localfleet/.boot-entry.tmp /nix/var/localfleet/boot-entry
fi
[ "$action" = boot ] && exit 0

if [ -n "@systemdHost@" ]; then
  # NixOS's order: stop the units that go, activate, forget earlier failures, daemon-reload,
  # restart the changed units, start the new ones; then every failed unit is reported (exit 4).
  unit_changes
  res=0
  if [ -n "$stop" ]; then
    echo "stopping the following units: $(list $stop)" >&2
    systemctl stop -- $stop || true
  fi
  echo "activating the configuration..." >&2
  "$out/activate" || res=2
  systemctl reset-failed || true
  systemctl daemon-reload || res=3
  if [ -n "$restart" ]; then
    echo "restarting the following units: $(list $restart)" >&2
    systemctl restart -- $restart || res=4
  fi
  if [ -n "$start" ]; then
    echo "starting the following units: $(list $start)" >&2
    systemctl start -- $start || res=4
  fi
  if [ -e /run/localfleet/fail-next-activation ]; then
    rm -f /run/localfleet/fail-next-activation
    echo "error: the activation script failed (injected fault)" >&2
    res=2
  fi
  failed=$(systemctl list-units --state=failed --plain --no-legend | cut -d' ' -f1 | tr '\n' ' ')
  failed=${failed% }
  if [ -n "$failed" ]; then
    echo "warning: the following units failed: $(list $failed)" >&2
    for u in $failed; do systemctl status --no-pager "$u" >&2 || true; done
    [ "$res" -ne 0 ] || res=4
  fi
  exit "$res"
fi

echo "activating the configuration..." >&2
"$out/activate"

if [ -e /run/localfleet/fail-next-activation ]; then
  rm -f /run/localfleet/fail-next-activation
  echo "error: the activation script failed (injected fault)" >&2
  exit 2
fi
if [ -n "@failingUnit@" ]; then
  echo "warning: the following units failed: localfleet-failing.service" >&2
  exit 4
fi
exit 0
