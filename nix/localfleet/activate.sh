#!/bin/sh
# Activation script of @out@: makes this system the running one.
set -eu
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
systemConfig=@out@

mkdir -p /run/localfleet/bin /run/sshd
chmod 0755 /run/sshd
# NixOS's sh is bash (its activation links /bin/sh to environment.binsh): the hosts' sessions find
# this sh first on their PATH, so the scripts the hub runs there meet the shell a real host has.
[ -e /run/localfleet/bin/sh ] || ln -s /bin/bash /run/localfleet/bin/sh

if [ "@activationDelay@" != 0 ]; then
  echo "activating the configuration (slow variant: @activationDelay@ s)..." >&2
  sleep @activationDelay@
fi

prev=$(readlink /run/current-system 2>/dev/null || true)
# Atomic repoint: a concurrent reader never sees /run/current-system missing.
ln -sfn "$systemConfig" /run/.current-system.tmp
mv -T /run/.current-system.tmp /run/current-system

# agenix in its activation mode (variant agenix, mode "activation"): the secrets are decrypted
# here, after the switch of /run/current-system, as NixOS runs agenix's snippets. As there, a
# failure fails the activation (switch-to-configuration exits 2) but does not stop it.
status=0
agenix='@agenixActivation@'
if [ -n "$agenix" ]; then
  # Split on purpose: the command's words are store paths and secret names, no spaces.
  $agenix || status=1
fi

# On a systemd host the units are switch-to-configuration's (and, at boot, systemd's) job, as on
# NixOS, where the activation script sets up /etc and leaves services alone.
[ -z "@systemdHost@" ] || exit $status

# During boot the init starts sshd itself. Otherwise, as NixOS restarts a unit whose config
# changed and leaves the others running: reload a running sshd when its config differs from the
# previous system's (sshd re-execs and re-reads it through /run/current-system on SIGHUP), ask
# init (pid 1 of the host) to start one that does not run, and leave it alone otherwise.
# Like `systemctl reload`, wait until the new sshd listens: it rewrites its pid file then.
pid=$(cat /run/sshd.pid 2>/dev/null || true)
running=0
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then running=1; fi
if [ "${LOCALFLEET_BOOT:-}" != 1 ] && [ "$running" = 1 ] && [ -n "$prev" ] && cmp -s "$prev/etc/ssh/sshd_config" "$systemConfig/etc/ssh/sshd_config"; then
  exit $status
fi
if [ "${LOCALFLEET_BOOT:-}" != 1 ]; then
  rm -f /run/sshd.pid
  if [ "$running" = 1 ]; then
    echo "reloading the following units: sshd.service" >&2
    kill -HUP "$pid"
  else
    echo "starting the following units: sshd.service" >&2
    kill -USR1 1
  fi
  i=0
  while [ ! -s /run/sshd.pid ] && [ $i -lt 100 ]; do
    sleep 0.05
    i=$((i + 1))
  done
  [ -s /run/sshd.pid ] || echo "warning: sshd.service did not come back" >&2
fi
exit $status
