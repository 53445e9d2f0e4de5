# Installer images per host: the NixOS minimal installer plus the host's hardware configuration
# and hub-install, the setup wizard (pkg/installer/wizard.sh), with the disk layout derived from
# the host's host.toml. Imported by the repository's flake:
#
#   packages.<system>.installer-<host> = import ./nix/installer.nix { inherit nixpkgs; root = ./.; } "<host>";
#
# The result is the isoImage derivation: <out>/iso/<name>.iso, which is what iso:build expects.
{ nixpkgs, root, flakeRef ? "github:nixos-hub/hub" }:
hostName:
let
  hostDir = root + "/hosts/${hostName}";
  host = builtins.fromTOML (builtins.readFile (hostDir + "/host.toml"));
  system = host.system or "x86_64-linux";

  # The declarative layout: a 1 GiB ESP, swap sized by class (laptops hibernate), ext4 root.
  layout = {
    HOST = hostName;
    FLAKE = flakeRef;
    ESP_MIB = 1024;
    SWAP_MIB = { laptop = 16384; workstation = 8192; server = 4096; }.${host.class} or 4096;
    ROOT_FS = "ext4";
  };
  layoutEnv = builtins.concatStringsSep "\n"
    (nixpkgs.lib.mapAttrsToList (k: v: "${k}=${toString v}") layout) + "\n";
in
(nixpkgs.lib.nixosSystem {
  inherit system;
  modules = [
    "${nixpkgs}/nixos/modules/installer/cd-dvd/installation-cd-minimal.nix"
    # The target's hardware configuration: the installer boots with the same kernel modules and
    # firmware the installed system will need (GPU profile, storage controllers).
    (if builtins.pathExists (hostDir + "/hardware-configuration.nix")
     then hostDir + "/hardware-configuration.nix"
     else { })
    ({ pkgs, lib, ... }: {
      # The hardware file describes the installed disks; the live system runs from the stick.
      fileSystems = lib.mkForce { };
      swapDevices = lib.mkForce [ ];
      boot.initrd.luks.devices = lib.mkForce { };

      isoImage.isoName = lib.mkForce "hub-installer-${hostName}-${host.hardware or "generic"}.iso";
      networking.hostName = "installer-${hostName}";
      nix.settings.experimental-features = [ "nix-command" "flakes" ];

      environment.etc."hub-install/layout.env".text = layoutEnv;
      environment.systemPackages = [
        (pkgs.writeShellApplication {
          name = "hub-install";
          runtimeInputs = with pkgs; [ parted util-linux dosfstools e2fsprogs coreutils systemd ];
          text = builtins.readFile (root + "/pkg/installer/wizard.sh");
        })
        pkgs.git
      ];
      services.getty.helpLine = ''
        hub installer for ${hostName}: run `sudo hub-install` (or `hub-install --disk /dev/X --yes` unattended).
      '';
    })
  ];
}).config.system.build.isoImage
