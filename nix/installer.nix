# Installer images per host: the NixOS minimal installer plus the host's hardware configuration
# and hub-install, the setup wizard (internal/installer/wizard.sh), with the disk layout derived from
# the host's own files (internal/installer/layout.nix). Imported by the repository's flake:
#
#   packages.<system>.installer-<host> = import ./nix/installer.nix { inherit nixpkgs; root = ./.; } "<host>";
#
# The result is the isoImage derivation: <out>/iso/<name>.iso, which is what iso:build expects.
#
# The image installs the host's own configuration: `root` is the flake's source, a store path,
# and the layout names it as the flake (FLAKE="${root}"), which puts the source itself on the
# stick. hub-install runs `nixos-install --flake <that store path>#<host>`: the configuration is
# the one the image was built from, with no network needed for the flake itself (its inputs and
# the system's packages still come from their caches).
{ nixpkgs, root }:
hostName:
let
  lib = nixpkgs.lib;
  hostDir = root + "/hosts/${hostName}";
  host = builtins.fromTOML (builtins.readFile (hostDir + "/host.toml"));
  system = host.system or "x86_64-linux";
  hardwareFile = hostDir + "/hardware-configuration.nix";
  hardware = if builtins.pathExists hardwareFile then hardwareFile else { };

  # The file systems the installed host mounts, through the module system (mkDefault, mkForce
  # and imports in the hardware file mean what they mean in the host's own evaluation). Only
  # config.fileSystems is read: nothing of this system is built.
  installed = nixpkgs.lib.nixosSystem {
    inherit system;
    modules = [ hardware ];
  };

  layout = import (root + "/internal/installer/layout.nix") {
    inherit hostName host;
    fileSystems = installed.config.fileSystems;
    secretsNix =
      if builtins.pathExists (root + "/secrets/secrets.nix") then
        builtins.readFile (root + "/secrets/secrets.nix")
      else
        "";
    flake = "${root}";
  };
in
(nixpkgs.lib.nixosSystem {
  inherit system;
  modules = [
    "${nixpkgs}/nixos/modules/installer/cd-dvd/installation-cd-minimal.nix"
    # The target's hardware configuration: the installer boots with the same kernel modules and
    # firmware the installed system will need (GPU profile, storage controllers).
    hardware
    (
      { config, pkgs, ... }:
      {
        # The hardware file describes the installed disks; the live system runs from the stick.
        # iso-image.nix keeps the image's own mounts (/, /iso, /nix/.ro-store, /nix/.rw-store,
        # /nix/store) in config.lib.isoFileSystems, and installation-cd-base.nix sets them with
        # mkImageMediaOverride (priority 60), which already beats the hardware file's plain
        # definitions; mkForce (50) also beats a hardware file that forces its own, and keeps
        # nothing of the installed disk. (An empty mkForce { } dropped the image's mounts too, and
        # stage 1 refused a system without a root file system.)
        fileSystems = lib.mkForce config.lib.isoFileSystems;
        swapDevices = lib.mkForce [ ];
        boot.initrd.luks.devices = lib.mkForce { };

        # The image file is <image.baseName>.iso: iso-image.nix builds isoName from baseName, and
        # isoImage.isoName is renamed image.fileName since 25.05 (mkRenamedOptionModuleWith,
        # a warning), which only names the file in image.filePath.
        image.baseName = lib.mkForce "hub-installer-${hostName}-${host.hardware or "generic"}";
        networking.hostName = "installer-${hostName}";
        nix.settings.experimental-features = [
          "nix-command"
          "flakes"
        ];

        environment.etc."hub-install/layout.env".text = layout.env;
        environment.systemPackages = [
          (pkgs.writeShellApplication {
            name = "hub-install";
            runtimeInputs = with pkgs; [
              parted
              util-linux
              dosfstools
              e2fsprogs
              btrfs-progs
              xfsprogs
              coreutils
              systemd
              openssh
            ];
            text = builtins.readFile (root + "/internal/installer/wizard.sh");
          })
          pkgs.git
        ];
        services.getty.helpLine = ''
          hub installer for ${hostName}: run `sudo hub-install --host-key /path/to/ssh_host_ed25519_key`
          (unattended: `hub-install --disk /dev/X --host-key FILE --yes`; see docs/recovery.md).
        '';
      }
    )
  ];
}).config.system.build.isoImage
