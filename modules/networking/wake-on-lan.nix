# Wake-on-LAN on the workstation's wired interface, so it can sleep and be woken from a laptop
# (`wakeonlan MAC`) when a build or the binary cache is wanted.
{ config, lib, ... }:
let
  cfg = config.hub.features.wake-on-lan;
in
{
  options.hub.features.wake-on-lan = {
    interface = lib.mkOption {
      type = lib.types.str;
      default = "enp5s0";
      description = "Wired interface whose magic-packet wake-up is armed.";
    };
  };

  config = lib.mkIf cfg.enable {
    networking.interfaces.${cfg.interface}.wakeOnLan = {
      enable = true;
      policy = lib.mkDefault [ "magic" ];
    };
  };
}
