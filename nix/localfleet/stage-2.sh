#!/bin/sh
# Stage 2 of @out@ on a systemd host: pid 1 of the host's container, started by the local fleet's
# launcher from the boot entry. It does what NixOS's stage-2-init does before it hands over:
# /run is new and empty, this system becomes the booted and the running one, the activation
# script runs, and systemd takes pid 1 over, starting the units /etc/systemd/system (this
# system's etc/systemd/system, through /run/current-system) asks for.
set -eu
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
systemConfig=@out@
ln -sfn "$systemConfig" /run/booted-system
# A failed activation does not stop the boot, as in NixOS's stage 2.
LOCALFLEET_BOOT=1 "$systemConfig/activate" || echo "stage 2: the activation script failed" >&2
exec /lib/systemd/systemd "$@"
