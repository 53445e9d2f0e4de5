# One NixOS-shaped system: { config.system.build.toplevel, ... } built from builtins only.
{ name, host, state, variant }:
let
  v = {
    generation = 1;
    kernel = "6.6.0";
    sshd = "ok"; # ok | deny (AllowUsers nobody) | port (listens on port + 1)
    failingUnit = false;
    activationDelaySeconds = 0;
    systemd = "255";
  } // variant;

  system = host.system or "x86_64-linux";
  version = "24.11.localfleet-g${toString v.generation}";

  # Every builder is /bin/sh with an explicit PATH: there is no stdenv without nixpkgs.
  mk = drvName: script: derivation {
    name = drvName;
    inherit system;
    builder = "/bin/sh";
    args = [ "-c" script ];
    PATH = "/usr/bin:/bin";
  };

  # Kernel, initrd, modules and systemd are separate store paths, as on NixOS, so that
  # "reboot needed" is a comparison of symlink targets between booted and current system.
  kernel = mk "linux-${v.kernel}" ''
    mkdir -p $out
    echo "Linux ${v.kernel} (localfleet stand-in)" > $out/bzImage
  '';
  initrd = mk "initrd-linux-${v.kernel}" ''
    mkdir -p $out
    echo "initrd for Linux ${v.kernel} (localfleet stand-in)" > $out/initrd
  '';
  modules = mk "linux-${v.kernel}-modules" ''
    mkdir -p $out/lib/modules/${v.kernel}
    echo "# modules for Linux ${v.kernel} (localfleet stand-in)" > $out/lib/modules/${v.kernel}/modules.dep
  '';
  systemd = mk "systemd-${v.systemd}-localfleet" ''
    mkdir -p $out/bin
    printf '#!/bin/sh\necho "systemd ${v.systemd} (localfleet stand-in)"\n' > $out/bin/systemctl
    chmod +x $out/bin/systemctl
  '';

  listenPort = if v.sshd == "port" then host.port + 1 else host.port;
  hostDir = "${state}/hosts/${name}";

  # Only paths go into the store: keys stay in the fleet's state directory.
  sshdConfig = ''
    # sshd_config of ${name}, generation ${toString v.generation} (sshd variant: ${v.sshd})
    ListenAddress ${host.address}:${toString listenPort}
    HostKey ${hostDir}/ssh_host_ed25519_key
    AuthorizedKeysFile ${state}/authorized_keys
    PidFile /run/sshd.pid
    PermitRootLogin prohibit-password
    PubkeyAuthentication yes
    PasswordAuthentication no
    KbdInteractiveAuthentication no
    UsePAM no
    StrictModes no
    PrintMotd no
    MaxStartups 100
    # NIX_CONF_DIR: the host's own nix.conf (written by init.sh from pkg/nix's Local settings),
    # not the machine's /etc/nix, which the hosts share and which may ask for build users.
    SetEnv PATH=/run/localfleet/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin NIX_CONF_DIR=/run/localfleet/nix
    Subsystem sftp internal-sftp
  '' + (if v.sshd == "deny" then "AllowUsers nobody\n" else "");

  toplevel = derivation {
    name = "nixos-system-${name}-${version}";
    inherit system;
    builder = "/bin/sh";
    args = [ ./toplevel.sh ];
    PATH = "/usr/bin:/bin";
    activateTemplate = ./activate.sh;
    switchTemplate = ./switch-to-configuration.sh;
    inherit kernel initrd modules systemd sshdConfig version;
    hostName = name;
    generation = toString v.generation;
    kernelVersion = v.kernel;
    sshdVariant = v.sshd;
    failingUnit = if v.failingUnit then "1" else "";
    activationDelay = toString v.activationDelaySeconds;
    variantJSON = builtins.toJSON v;
  };
in
{
  config = {
    networking.hostName = name;
    system.nixos.version = version;
    system.build.toplevel = toplevel;
    localfleet.variant = v;
  };
}
