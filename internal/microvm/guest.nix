# The system of one local-fleet MicroVM guest: a NixOS-shaped toplevel built from a [[microvm]]
# table with Nix builtins only, as the local fleet's host systems are (nix/localfleet/system.nix).
# internal/microvm builds it on the guest's host (nix-build --expr, so it lands in the host's
# /nix/store, which QEMU shares with the guest over 9p) from `spec`, the table as JSON:
#   { name, host, generation, user, keys, features, shares = [{ tag, mount, readOnly }],
#     ports = [{ host, guest }], disk = null | { mount }, vcpu, memoryMiB, sshPort }
# The guest's initramfs (hub-microvm, qemu.sh) is stage 1 only: kernel modules, busybox and
# dropbear (what nixpkgs would provide), the store mounted at /nix/.ro-store and bound at
# /nix/store; it then executes this system's init (the kernel's init= parameter, as NixOS's
# stage 1 reads it), which activates the system and starts sshd. Every script runs under the
# initramfs's busybox sh; the builder runs on the host under /bin/sh with PATH=/usr/bin:/bin.
{ spec }:
let
  s = builtins.fromJSON spec;
  version = "25.11.localfleet-g${toString s.generation}";
  isRoot = s.user == "root";
  uid = if isRoot then 0 else 1000;
  home = if isRoot then "/root" else "/home/${s.user}";
  lines = builtins.concatStringsSep "\n";

  passwd = lines ([ "root:x:0:0:root:/root:/bin/sh" ]
    ++ (if isRoot then [ ] else [ "${s.user}:x:1000:1000:${s.user}:${home}:/bin/sh" ])) + "\n";
  group = lines ([ "root:x:0:" ] ++ (if isRoot then [ ] else [ "${s.user}:x:1000:" ])) + "\n";
  # users.users.<name>.openssh.authorizedKeys.keys: NixOS writes them to
  # /etc/ssh/authorized_keys.d/<user>; dropbear reads only ~/.ssh/authorized_keys, which the
  # activation fills from there.
  keys = lines s.keys + "\n";
  # fileSystems: the shares (9p, as microvm.nix mounts its shares) and the volume.
  fstab = lines (map (sh: "${sh.tag} ${sh.mount} 9p trans=virtio,version=9p2000.L,${if sh.readOnly then "ro" else "rw"}") s.shares
    ++ (if s.disk == null then [ ] else [ "/dev/vda ${s.disk.mount} ext4 defaults" ])) + "\n";

  # Stage 2, pid 1 of the guest: what systemd and its units are on NixOS, for one sshd.
  init = ''
    #!/bin/sh
    # stage 2 of @out@ (guest ${s.name}, generation ${toString s.generation})
    export PATH=/bin
    systemConfig=@out@
    ln -sfn "$systemConfig" /run/booted-system
    "$systemConfig/activate"
    # networking: QEMU's user-mode network, the guest 10.0.2.15 behind the gateway 10.0.2.2.
    ip link set lo up
    ip link set eth0 up
    ip addr add 10.0.2.15/24 dev eth0
    ip route add default via 10.0.2.2
    # fileSystems (etc/fstab): a new volume is empty, busybox makes ext2, the ext4 driver mounts it.
    while read -r dev mnt type opts; do
      [ -n "$dev" ] || continue
      mkdir -p "$mnt"
      if [ "$type" = 9p ]; then
        mount -t 9p -o "$opts" "$dev" "$mnt" || echo "hub-guest: share $dev failed"
      elif [ -e "$dev" ]; then
        mount -t ext4 "$dev" "$mnt" 2>/dev/null || { mkfs.ext2 -q "$dev" && mount -t ext4 "$dev" "$mnt"; } || echo "hub-guest: volume $dev failed"
      fi
    done <"$systemConfig/etc/fstab"
    ${if isRoot then "" else "chown -R ${toString uid}:${toString uid} ${home}"}
    echo "hub-guest: $(nproc) cpus, $(awk '/MemTotal/ {print $2}' /proc/meminfo) kB, system $systemConfig"
    # services.openssh: dropbear from the initramfs with the guest's host key, kept by the host
    # across generations (a secret: it never enters the store).
    /bin/dropbear -E -p 22 -r /etc/dropbear/dropbear_ed25519_host_key
    echo "hub-guest: sshd started"
    while true; do sleep 3600; done
  '';

  # The activation script: /etc from the system (hostname, users, keys) and /run/current-system.
  activate = ''
    #!/bin/sh
    # activation script of @out@
    export PATH=/bin
    systemConfig=@out@
    ln -sfn "$systemConfig" /run/current-system
    hostname "$(cat "$systemConfig/etc/hostname")"
    cp "$systemConfig/etc/hostname" /etc/hostname
    cp "$systemConfig/etc/passwd" /etc/passwd
    cp "$systemConfig/etc/group" /etc/group
    echo /bin/sh >/etc/shells
    mkdir -p ${home}/.ssh
    cp "$systemConfig/etc/ssh/authorized_keys.d/${s.user}" ${home}/.ssh/authorized_keys
    chmod 700 ${home} ${home}/.ssh
    chmod 600 ${home}/.ssh/authorized_keys
    chown -R ${toString uid}:${toString uid} ${home}
  '';
in
{
  toplevel = derivation {
    name = "nixos-system-${s.name}-${version}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    inherit passwd group keys fstab init activate version;
    hostName = s.name;
    user = s.user;
    features = lines s.features + "\n";
    ports = lines (map (p: "${toString p.host} ${toString p.guest}") s.ports) + "\n";
    inherit spec;
    args = [
      "-c"
      ''
        set -eu
        mkdir -p $out/etc/ssh/authorized_keys.d $out/etc/hub
        echo "$version" >$out/nixos-version
        echo "$hostName" >$out/etc/hostname
        printf '%s' "$passwd" >$out/etc/passwd
        printf '%s' "$group" >$out/etc/group
        printf '%s' "$keys" >"$out/etc/ssh/authorized_keys.d/$user"
        printf '%s' "$fstab" >$out/etc/fstab
        printf '%s' "$features" >$out/etc/hub/features
        printf '%s' "$ports" >$out/etc/hub/forwarded-ports
        printf '%s\n' "$spec" >$out/etc/hub/guest.json
        printf '%s' "$init" | sed "s|@out@|$out|g" >$out/init
        printf '%s' "$activate" | sed "s|@out@|$out|g" >$out/activate
        chmod 0555 $out/init $out/activate
        echo "init=$out/init" >$out/kernel-params
      ''
    ];
  };
}
