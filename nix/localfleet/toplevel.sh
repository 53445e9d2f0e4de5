# shellcheck shell=sh disable=SC2154 # out, kernel and the rest are the derivation's attributes: nix sets them in the environment
# Lays out $out like a NixOS toplevel. Runs under /bin/sh with PATH=/usr/bin:/bin.
set -eu
mkdir -p $out/bin $out/etc/ssh $out/etc/localfleet
ln -s $kernel/bzImage $out/kernel
ln -s $initrd/initrd $out/initrd
ln -s $modules $out/kernel-modules
ln -s $systemd $out/systemd
# NixOS lists systemd (and dbus) as switch inhibitors: a change refuses a live switch.
echo "$systemd" > $out/switch-inhibitors
echo "$version" > $out/nixos-version
echo "$hostName" > $out/etc/hostname
printf '%s' "$sshdConfig" > $out/etc/ssh/sshd_config
printf '%s\n' "$variantJSON" > $out/etc/localfleet/variant.json
echo "init=$out/init" > $out/kernel-params
subst() {
  sed -e "s|@out@|$out|g" -e "s|@hostName@|$hostName|g" \
      -e "s|@activationDelay@|$activationDelay|g" -e "s|@failingUnit@|$failingUnit|g" \
      -e "s|@systemdHost@|$systemdHost|g" -e "s|@agenixActivation@|$agenixActivation|g" "$1" > "$2"
  chmod 0555 "$2"
}
subst $activateTemplate $out/activate
subst $switchTemplate $out/bin/switch-to-configuration
if [ -n "$systemdHost" ]; then
  # The units under their own names (a link to a store file named <hash>-<unit> would make
  # systemd take the unit for an alias), each enabled by a link in <target>.wants for the targets
  # that want it ($unitWants: <target>/<unit>), as NixOS does for wantedBy; the host's
  # /etc/systemd/system points here through /run/current-system, as NixOS's points into
  # /etc/static.
  mkdir -p $out/etc/systemd/system
  set -- $unitFiles
  for u in $unitNames; do
    cp "$1" "$out/etc/systemd/system/$u"
    shift
  done
  for w in $unitWants; do
    mkdir -p "$out/etc/systemd/system/${w%%/*}.wants"
    ln -s "../${w#*/}" "$out/etc/systemd/system/${w%%/*}.wants/${w#*/}"
  done
  # Stage 2: activate, then hand pid 1 over to systemd.
  subst $stage2Template $out/init
else
  printf '#!/bin/sh\nexec %s/activate "$@"\n' "$out" > $out/init
  chmod 0555 $out/init
fi
