# Wake-on-LAN on a wired interface, so a workstation can sleep and be woken from a laptop
# (`wakeonlan MAC`) when a build or the binary cache is wanted. The interface name is the
# host's own (`ip link`), so there is no default: the host's default.nix names it.
{ config, lib, ... }:
let
  cfg = config.hub.features.wake-on-lan;
in
{
  options.hub.features.wake-on-lan = {
    interfaces = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [ "enp5s0" ];
      description = "Wired interfaces whose magic-packet wake-up is armed.";
    };
  };

  config = lib.mkIf cfg.enable {
    networking.interfaces = lib.genAttrs cfg.interfaces (_: {
      wakeOnLan = {
        enable = true;
        policy = lib.mkDefault [ "magic" ];
      };
    });
    assertions = [{
      assertion = cfg.interfaces != [ ];
      message = "host ${config.networking.hostName}: hub.features.wake-on-lan.interfaces is empty; name the wired interface (ip link)";
    }];
  };
}
