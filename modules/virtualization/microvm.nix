# Host side of MicroVMs: KVM, a bridge the VMs' tap devices join, and the VMMs. Guests are
# declared outside this repository, so no microvm.nix input is pulled into every host.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.microvm;
in
{
  options.hub.features.microvm = {
    bridge = lib.mkOption {
      type = lib.types.str;
      default = "microvm0";
      description = "Name of the bridge MicroVM tap interfaces attach to.";
    };
    address = lib.mkOption {
      type = lib.types.str;
      default = "10.42.0.1";
      description = "Host address on the bridge; guests use it as gateway.";
    };
    prefixLength = lib.mkOption {
      type = lib.types.ints.between 8 30;
      default = 24;
      description = "Prefix length of the bridge network.";
    };
  };

  config = lib.mkIf cfg.enable {
    boot.kernelModules = [ "kvm-intel" "kvm-amd" "tun" "vhost_net" ];
    networking.bridges.${cfg.bridge}.interfaces = [ ];
    networking.interfaces.${cfg.bridge}.ipv4.addresses = [
      { address = cfg.address; prefixLength = cfg.prefixLength; }
    ];
    networking.nat = {
      enable = true;
      internalInterfaces = [ cfg.bridge ];
    };
    environment.systemPackages = [ pkgs.cloud-hypervisor pkgs.firecracker ];
  };
}
