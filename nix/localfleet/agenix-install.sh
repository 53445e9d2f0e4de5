#!/bin/sh
# Decrypts a system's age secrets into /run/agenix the way agenix's NixOS module lays them out,
# so that the hub's secrets:status and secrets:fix meet the real layout on a systemd host: each
# run makes a new generation /run/agenix.d/<n> (on ramfs, mode 0751), decrypts every secret
# into it with age and the identity (mode 0400, root), points /run/agenix at it and removes the
# previous generation. A secret that cannot be decrypted is left out of the generation, the
# others still land, and the exit status is 1 (systemd then marks the unit failed).
# Written for the local fleet from agenix's documented behaviour, not taken from it; agenix
# also chowns to the "keys" group, which Debian's image has not.
# Arguments: the identity file, then pairs of secret name and .age file.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
identity=$1
shift
mountpoint=/run/agenix.d
link=/run/agenix

prev=$(readlink "$link" 2>/dev/null || true)
prev=${prev##*/}
case $prev in '' | *[!0-9]*) prev=0 ;; esac
gen=$((prev + 1))
echo "agenix: creating generation $gen in $mountpoint"
mkdir -p "$mountpoint"
chmod 0751 "$mountpoint"
# Secrets stay off disk: ramfs is never swapped out.
grep -q " $mountpoint ramfs " /proc/mounts || mount -t ramfs -o nodev,nosuid,mode=0751 none "$mountpoint"
mkdir -p "$mountpoint/$gen"
chmod 0751 "$mountpoint/$gen"

[ -r "$identity" ] || echo "agenix: warning: identity $identity is not readable" >&2
status=0
while [ $# -ge 2 ]; do
  name=$1 file=$2
  shift 2
  out=$mountpoint/$gen/$name
  if (umask 0377 && age --decrypt -i "$identity" -o "$out.tmp" "$file"); then
    chmod 0400 "$out.tmp"
    mv -f "$out.tmp" "$out"
    echo "agenix: decrypted $name"
  else
    rm -f "$out.tmp"
    echo "agenix: cannot decrypt $name ($file)" >&2
    status=1
  fi
done

ln -sfn "$mountpoint/$gen" "$link"
[ "$prev" -eq 0 ] || rm -rf "${mountpoint:?}/$prev"
exit $status
