# shellcheck shell=sh
# Launcher of one systemd host of the local fleet, started by internal/localfleet in a private mount
# namespace of its own (unshare --mount). It is the host's "hardware": it boots the boot entry in
# a container whose pid 1 becomes systemd, and boots it again whenever the host reboots.
# Arguments: the host's directory, its name, the root file system image, the fleet's state
# directory. LOCALFLEET_INSTALL, when set, is a system installed as generation 1 before the
# first boot; LOCALFLEET_CGROUPS lists the cgroup directories (one per hierarchy) the container
# runs in.
set -eu
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
hostdir=$1
name=$2
image=$3
state=$4

# nspawn keeps runtime files (locks, mount propagation directories) under /run: a tmpfs of this
# namespace keeps them out of the machine's /run and apart from the other hosts'.
mount -t tmpfs -o mode=0755 localfleet-run /run
mount --bind "$hostdir/nix" /nix
# The image is shared, read-only, by every systemd host on the machine; what the host writes (its
# machine id, journal, /var) goes to an overlay of its own, which survives reboots like a disk.
mkdir -p "$hostdir/rootfs" "$hostdir/rootfs-changes" "$hostdir/rootfs-work"
mount -t overlay -o "lowerdir=$image,upperdir=$hostdir/rootfs-changes,workdir=$hostdir/rootfs-work" \
  localfleet-root "$hostdir/rootfs"
# The host's nix.conf (internal/nix's local settings), for the install below and, bound at /etc/nix,
# for every nix call on the host.
export NIX_CONF_DIR="$hostdir/etc-nix"

if [ -n "${LOCALFLEET_INSTALL:-}" ]; then
  nix-env -p /nix/var/nix/profiles/system --set "$LOCALFLEET_INSTALL"
  "$LOCALFLEET_INSTALL/bin/switch-to-configuration" boot
fi

while :; do
  # Boot what the boot entry names, as a bootloader would; the profile is the fallback for a
  # store whose entry was never written.
  system=$(readlink -e /nix/var/localfleet/boot-entry || readlink -e /nix/var/nix/profiles/system)
  echo "--- booting $system ($(date -Iseconds))"
  rc=0
  # The container runs in cgroups of its own (nspawn puts its payload and supervisor below the
  # cgroup it starts in; two hosts sharing one would collide): move there, then become nspawn.
  # --register=no --keep-unit: there is no machined or systemd on the machine to register with
  # or to ask for a scope unit (without them nspawn fails with "Failed to open system bus").
  # The machine's network namespace is shared, so sshd listens on the host's loopback address.
  # The host key and authorized_keys are bound at the paths the sshd config names.
  sh -c 'for cg in $LOCALFLEET_CGROUPS; do echo $$ > "$cg/cgroup.procs"; done; exec "$@"' nspawn \
    systemd-nspawn --quiet --register=no --keep-unit --directory="$hostdir/rootfs" --machine="$name" \
    --link-journal=no --resolv-conf=off --timezone=off --console=read-only \
    --bind=/nix --bind-ro="$hostdir/etc-nix:/etc/nix" \
    --bind-ro="$hostdir/ssh_host_ed25519_key" --bind-ro="$state/authorized_keys" \
    "$system/init" || rc=$?
  # 133: the host rebooted (its systemd exited for a reboot); anything else: it was powered off
  # or killed, and the launcher ends.
  [ "$rc" -eq 133 ] || exit "$rc"
  echo "--- rebooting ($(date -Iseconds))"
done
