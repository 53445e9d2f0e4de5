# Battery life on laptops; power-profiles-daemon rather than TLP because GNOME drives it directly.
{ config, lib, ... }:
let
  cfg = config.hub.features.laptop-power;
in
{
  options.hub.features.laptop-power = {
    thermald = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Run thermald (Intel CPUs only) to avoid thermal throttling.";
    };
  };

  config = lib.mkIf cfg.enable {
    powerManagement.enable = true;
    services.power-profiles-daemon.enable = true;
    services.thermald.enable = cfg.thermald;
    services.upower.enable = true;
  };
}
