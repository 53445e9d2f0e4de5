#!/usr/bin/env bash
# hub-install: the setup wizard of the hub's installer images (nix/installer.nix puts it on the
# image with its layout in /etc/hub-install/layout.env). It partitions one disk from the
# declarative layout derived from the host's host.toml, formats, mounts and runs
# nixos-install --flake for the host.
#
#   hub-install                      interactive: pick the disk, type its name to confirm
#   hub-install --disk /dev/nvme0n1 --yes      unattended (or HUB_INSTALL_DISK, HUB_INSTALL_YES=1)
#
# HUB_INSTALL_DRY_RUN=1 prints every command instead of running it; HUB_INSTALL_LAYOUT names
# another layout file.
set -euo pipefail

layout=${HUB_INSTALL_LAYOUT:-/etc/hub-install/layout.env}
disk=${HUB_INSTALL_DISK:-}
yes=${HUB_INSTALL_YES:-0}
dry=${HUB_INSTALL_DRY_RUN:-0}

while [ $# -gt 0 ]; do
  case $1 in
    --disk) disk=$2; shift 2 ;;
    --yes) yes=1; shift ;;
    --dry-run) dry=1; shift ;;
    *) echo "hub-install: unknown argument $1" >&2; exit 2 ;;
  esac
done

# shellcheck source=/dev/null
. "$layout"
for v in HOST FLAKE ESP_MIB SWAP_MIB ROOT_FS; do
  if [ -z "${!v:-}" ]; then
    echo "hub-install: $layout does not set $v" >&2
    exit 2
  fi
done

run() {
  if [ "$dry" = 1 ]; then
    printf '+ %s\n' "$*"
  else
    "$@"
  fi
}

if [ -z "$disk" ]; then
  if [ "$yes" = 1 ]; then
    echo "hub-install: unattended mode needs --disk" >&2
    exit 2
  fi
  lsblk -d -o NAME,PATH,SIZE,MODEL,TRAN,RM,TYPE
  read -r -p "Install $HOST on which disk (path)? " disk
fi
name=$(basename "$disk")
if [ "$yes" != 1 ]; then
  read -r -p "This erases everything on $disk. Type its name ($name) to continue: " answer
  if [ "$answer" != "$name" ]; then
    echo "hub-install: aborted, nothing was changed" >&2
    exit 1
  fi
fi

# nvme0n1 and mmcblk0 number their partitions with a p.
case $name in
  *[0-9]) part=${disk}p ;;
  *) part=$disk ;;
esac
esp_end=$((1 + ESP_MIB))
swap_end=$((esp_end + SWAP_MIB))

echo "== partitioning $disk for $HOST: ESP ${ESP_MIB} MiB, swap ${SWAP_MIB} MiB, root $ROOT_FS"
run wipefs -a "$disk"
run parted -s "$disk" -- mklabel gpt \
  mkpart ESP fat32 1MiB "${esp_end}MiB" set 1 esp on
if [ "$SWAP_MIB" -gt 0 ]; then
  run parted -s "$disk" -- mkpart swap linux-swap "${esp_end}MiB" "${swap_end}MiB"
  run parted -s "$disk" -- mkpart root "$ROOT_FS" "${swap_end}MiB" 100%
  root=${part}3
else
  run parted -s "$disk" -- mkpart root "$ROOT_FS" "${esp_end}MiB" 100%
  root=${part}2
fi
run udevadm settle

echo "== formatting"
run mkfs.fat -F 32 -n BOOT "${part}1"
if [ "$SWAP_MIB" -gt 0 ]; then
  run mkswap -L swap "${part}2"
fi
run "mkfs.$ROOT_FS" -F -L nixos "$root"

echo "== mounting"
run mount "$root" /mnt
run mkdir -p /mnt/boot
run mount -o umask=077 "${part}1" /mnt/boot
if [ "$SWAP_MIB" -gt 0 ]; then
  run swapon "${part}2"
fi

echo "== installing $FLAKE#$HOST"
run nixos-install --flake "$FLAKE#$HOST" --no-root-passwd
echo "== done: remove the stick and reboot"
