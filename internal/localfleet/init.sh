# shellcheck shell=sh
# pid 1 of one local-fleet host, started by internal/localfleet inside private mount, pid and UTS
# namespaces. Arguments: the host's directory and its name. LOCALFLEET_INSTALL, when set, is a
# system installed as generation 1 before the first boot.
set -eu
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
hostdir=$1
name=$2

mount --bind "$hostdir/nix" /nix
mount --bind "$hostdir/run" /run
# Root's home is the host's own too: the machine's dotfiles are not the host's (and the
# machine's .bashrc would slow every ssh command down).
mount --bind "$hostdir/root" /root
hostname "$name"

# /run is a tmpfs on NixOS: every boot starts with it empty (this also clears injected faults).
find /run -mindepth 1 -delete
mkdir -p /run/localfleet/bin /run/localfleet/nix
# The host's nix.conf, the same for its own nix calls and its ssh sessions (NIX_CONF_DIR in
# sshd_config): the machine's /etc/nix/nix.conf is shared by every host and may be absent or ask
# for build users and a sandbox that the local fleet's builders cannot use.
printf '%s' "$LOCALFLEET_NIX_CONF" > /run/localfleet/nix/nix.conf
export NIX_CONF_DIR=/run/localfleet/nix

if [ -n "${LOCALFLEET_INSTALL:-}" ]; then
  nix-env -p /nix/var/nix/profiles/system --set "$LOCALFLEET_INSTALL"
  "$LOCALFLEET_INSTALL/bin/switch-to-configuration" boot
fi

# Boot what the boot entry names, as a bootloader would; the profile is the fallback for a
# store whose entry was never written.
system=$(readlink -f /nix/var/localfleet/boot-entry 2>/dev/null || readlink -f /nix/var/nix/profiles/system)
ln -sfn "$system" /run/booted-system
LOCALFLEET_BOOT=1 "$system/activate"

sshd_start() {
  pid=$(cat /run/sshd.pid 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    return 0
  fi
  rm -f /run/sshd.pid
  /usr/sbin/sshd -D -E /run/localfleet/sshd.log -f /run/current-system/etc/ssh/sshd_config &
}
# Activation scripts and the fleet ask for sshd with SIGUSR1 (pid 1 ignores signals it has no
# handler for, so the trap is what makes this work inside the pid namespace).
trap sshd_start USR1
trap 'exit 0' TERM
sshd_start
echo "$system" > /run/localfleet/booted

# dash's wait reaps any child, so orphans (sshd sessions whose parents died) do not linger.
while :; do
  sleep 3600 &
  s=$!
  wait "$s" || kill "$s" 2>/dev/null || true
done
