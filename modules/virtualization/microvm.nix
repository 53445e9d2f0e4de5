# Host side of MicroVMs: KVM, a bridge for tap-attached guests, and the host's [[microvm]]
# guests (host.toml, docs/microvm.md) as microvm.nix's microvm.vms.<name>, each a NixOS system
# built from this flake: the guest half of microvm.nix plus the hub's own modules and feature
# registry (nix/host.nix passes them in guestModules), with the guest's features from its table
# and hardware profile "microvm-guest" (modules/virtualization/microvm-guest.nix).
{ config, lib, ... }:
let
  cfg = config.hub.features.microvm;
  host = config.hub.host;
  # The tables turned into microvm.nix settings, builtins only (modules/lib/microvm-guests.nix).
  pure = import ../lib/microvm-guests.nix { host = host.toml; };

  guestConfig = name: g: {
    imports = cfg.guestModules;
    hub.host = { inherit name; inherit (g) toml; inherit (host) fleet; };
    networking.hostName = name;
    system.stateVersion = config.system.stateVersion;
    inherit (g) microvm;
  };
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
    guestModules = lib.mkOption {
      type = lib.types.listOf lib.types.raw;
      default = [ ];
      internal = true;
      description = ''
        Modules every guest is built with: microvm.nix's guest module and the hub's
        (nix/host.nix sets them; the feature registry, agenix and lanzaboote for the feature
        modules' options, the overlay).
      '';
    };
  };

  config = lib.mkMerge [
    # microvm.nix's host module is imported on every host (nix/host.nix) and on by default:
    # only this feature turns it on.
    { microvm.host.enable = lib.mkDefault cfg.enable; }

    (lib.mkIf cfg.enable {
      boot.kernelModules = [ "kvm-intel" "kvm-amd" "tun" "vhost_net" ];
      networking.bridges.${cfg.bridge}.interfaces = [ ];
      networking.interfaces.${cfg.bridge}.ipv4.addresses = [
        { address = cfg.address; prefixLength = cfg.prefixLength; }
      ];
      networking.nat = {
        enable = true;
        internalInterfaces = [ cfg.bridge ];
      };
      # The guests' forwards listen on the host: open them like the old configuration did.
      networking.firewall.allowedTCPPorts = pure.ports;
      # The declared guests for hub-nixos-exporter's microvm collector (hub_nixos_microvm_*).
      environment.etc."hub/microvms.json".text = builtins.toJSON pure.exporterList;
      microvm.vms = lib.mapAttrs
        (name: g: {
          inherit (g) autostart;
          config = guestConfig name g;
        })
        pure.guests;
    })
  ];
}
