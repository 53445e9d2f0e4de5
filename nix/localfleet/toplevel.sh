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
      -e "s|@activationDelay@|$activationDelay|g" -e "s|@failingUnit@|$failingUnit|g" "$1" > "$2"
  chmod 0555 "$2"
}
subst $activateTemplate $out/activate
subst $switchTemplate $out/bin/switch-to-configuration
printf '#!/bin/sh\nexec %s/activate "$@"\n' "$out" > $out/init
chmod 0555 $out/init
