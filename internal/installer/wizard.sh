#!/usr/bin/env bash
# hub-install: the setup wizard of the hub's installer images (nix/installer.nix puts it on the
# image with its layout in /etc/hub-install/layout.env, written by internal/installer/layout.nix).
# It partitions one disk, creates the file systems the host's hardware-configuration.nix mounts
# (same labels, same types), installs the host's ssh host key so it can decrypt its secrets, and
# runs nixos-install --flake for the host from the repository source on the image.
#
#   hub-install --host-key KEY                        interactive: pick the disk, type its name
#   hub-install --disk /dev/nvme0n1 --host-key KEY --yes     unattended
#   hub-install ... --no-host-key                     install without it (secrets need a rekey)
#
# Environment: HUB_INSTALL_DISK, HUB_INSTALL_YES=1, HUB_INSTALL_HOST_KEY; HUB_INSTALL_DRY_RUN=1
# prints every command that changes something instead of running it; HUB_INSTALL_LAYOUT names
# another layout file; HUB_INSTALL_ROOT mounts the new system elsewhere than /mnt.
set -euo pipefail

layout=${HUB_INSTALL_LAYOUT:-/etc/hub-install/layout.env}
disk=${HUB_INSTALL_DISK:-}
yes=${HUB_INSTALL_YES:-0}
dry=${HUB_INSTALL_DRY_RUN:-0}
host_key=${HUB_INSTALL_HOST_KEY:-}
no_host_key=0
mnt=${HUB_INSTALL_ROOT:-/mnt}

while [ $# -gt 0 ]; do
  case $1 in
    --disk) disk=$2; shift 2 ;;
    --host-key) host_key=$2; shift 2 ;;
    --no-host-key) no_host_key=1; shift ;;
    --yes) yes=1; shift ;;
    --dry-run) dry=1; shift ;;
    *) echo "hub-install: unknown argument $1" >&2; exit 2 ;;
  esac
done

die() {
  echo "hub-install: $*" >&2
  exit 2
}

# shellcheck source=/dev/null
. "$layout"
for v in HOST FLAKE ESP_MIB ESP_LABEL ESP_FS SWAP_MIB ROOT_LABEL ROOT_FS; do
  if [ -z "${!v:-}" ]; then
    die "$layout does not set $v"
  fi
done
ESP_OPTIONS=${ESP_OPTIONS:-defaults}
ROOT_OPTIONS=${ROOT_OPTIONS:-defaults}
SWAP_LABEL=${SWAP_LABEL:-swap}
HOST_KEY_PUB=${HOST_KEY_PUB:-}

run() {
  if [ "$dry" = 1 ]; then
    printf '+ %s\n' "$*"
  else
    "$@"
  fi
}

# The host key comes first: a wrong or missing key is found before anything is erased. agenix
# decrypts the host's secrets with /etc/ssh/ssh_host_ed25519_key (modules/security/agenix.nix),
# already at the activation nixos-install runs, so the key goes in before it, as
# nixos-anywhere --copy-host-keys does; sshd keeps a key it finds and generates none.
host_key_pub=
if [ -n "$host_key" ]; then
  if [ ! -r "$host_key" ]; then
    die "cannot read the host key $host_key"
  fi
  if ! pub=$(ssh-keygen -y -P '' -f "$host_key" 2>&1); then
    die "$host_key is not an OpenSSH private key without a passphrase (ssh-keygen -y: $pub); sshd and agenix read the host key without one"
  fi
  read -r key_type key_data _ <<<"$pub"
  if [ "$key_type" != ssh-ed25519 ]; then
    die "$host_key is a $key_type key; $HOST's secrets are decrypted with its ed25519 host key"
  fi
  host_key_pub="$key_type $key_data"
  if [ -n "$HOST_KEY_PUB" ] && [ "$host_key_pub" != "$(read -r a b _ <<<"$HOST_KEY_PUB"; echo "$a $b")" ]; then
    die "$host_key is not $HOST's host key: its public key is $host_key_pub, but secrets/secrets.nix encrypts $HOST's secrets to $HOST_KEY_PUB. Use $HOST's key (from its backup of /etc/ssh), or install with --no-host-key and rekey the secrets to the new key afterwards; nothing was changed"
  fi
elif [ "$no_host_key" = 1 ]; then
  echo "hub-install: WARNING: installing $HOST without its host key (--no-host-key): it generates a new one at first boot and cannot decrypt its secrets until they are rekeyed to it (secrets:hostKeys $HOST, then secrets:rekey -host=$HOST)" >&2
else
  msg="no host key for $HOST: its secrets are encrypted to ${HOST_KEY_PUB:-its ssh host key} (secrets/secrets.nix), and without the private key the installed system cannot decrypt them. Pass --host-key FILE (the host's ssh_host_ed25519_key, e.g. from its backup of /etc/ssh on a second stick), or --no-host-key to install without it and rekey afterwards"
  if [ "$yes" = 1 ]; then
    die "$msg; nothing was changed"
  fi
  echo "hub-install: $msg." >&2
  read -r -p "Install without the host key? Type 'no key' to continue: " answer
  if [ "$answer" != "no key" ]; then
    echo "hub-install: aborted, nothing was changed" >&2
    exit 1
  fi
fi

if [ -z "$disk" ]; then
  if [ "$yes" = 1 ]; then
    die "unattended mode needs --disk"
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

# The commands that create each file system, with the layout's label: the hardware file mounts
# them by /dev/disk/by-label/<label>, and labels are case-sensitive there.
mkfs_for() { # TYPE LABEL DEVICE
  case $1 in
    vfat) run mkfs.fat -F 32 -n "$2" "$3" ;;
    ext4) run mkfs.ext4 -F -L "$2" "$3" ;;
    btrfs) run mkfs.btrfs -f -L "$2" "$3" ;;
    xfs) run mkfs.xfs -f -L "$2" "$3" ;;
    *) die "cannot create a $1 file system (the layout's file system types: vfat for the ESP; ext4, btrfs or xfs for /)" ;;
  esac
}
parted_type() {
  case $1 in
    vfat) echo fat32 ;;
    *) echo "$1" ;;
  esac
}

# nvme0n1, mmcblk0 and loop0 number their partitions with a p.
case $name in
  *[0-9]) part=${disk}p ;;
  *) part=$disk ;;
esac
esp_end=$((1 + ESP_MIB))
swap_end=$((esp_end + SWAP_MIB))

echo "== partitioning $disk for $HOST: ESP ${ESP_MIB} MiB, swap ${SWAP_MIB} MiB, root $ROOT_FS"
run wipefs -a "$disk"
run parted -s "$disk" -- mklabel gpt \
  mkpart ESP "$(parted_type "$ESP_FS")" 1MiB "${esp_end}MiB" set 1 esp on
if [ "$SWAP_MIB" -gt 0 ]; then
  run parted -s "$disk" -- mkpart swap linux-swap "${esp_end}MiB" "${swap_end}MiB"
  run parted -s "$disk" -- mkpart root "$(parted_type "$ROOT_FS")" "${swap_end}MiB" 100%
  root=${part}3
else
  run parted -s "$disk" -- mkpart root "$(parted_type "$ROOT_FS")" "${esp_end}MiB" 100%
  root=${part}2
fi
run udevadm settle

echo "== formatting: $ESP_FS \"$ESP_LABEL\" for /boot, $ROOT_FS \"$ROOT_LABEL\" for /"
mkfs_for "$ESP_FS" "$ESP_LABEL" "${part}1"
if [ "$SWAP_MIB" -gt 0 ]; then
  run mkswap -L "$SWAP_LABEL" "${part}2"
fi
mkfs_for "$ROOT_FS" "$ROOT_LABEL" "$root"

echo "== mounting on $mnt"
run mount -o "$ROOT_OPTIONS" "$root" "$mnt"
run mkdir -p "$mnt/boot"
run mount -o "$ESP_OPTIONS" "${part}1" "$mnt/boot"
if [ "$SWAP_MIB" -gt 0 ]; then
  run swapon "${part}2"
fi

if [ -n "$host_key" ]; then
  echo "== installing $HOST's ssh host key ($host_key_pub)"
  run install -d -m 0755 "$mnt/etc/ssh"
  run install -m 0600 -o root -g root "$host_key" "$mnt/etc/ssh/ssh_host_ed25519_key"
  run install -m 0644 -o root -g root /dev/stdin "$mnt/etc/ssh/ssh_host_ed25519_key.pub" <<<"$host_key_pub"
fi

# The flake is a read-only store path on the image: nix must not try to write a lock file there.
echo "== installing $FLAKE#$HOST"
run nixos-install --root "$mnt" --flake "$FLAKE#$HOST" --no-root-passwd --no-write-lock-file
echo "== done: remove the stick and reboot"
