# AppArmor as a second wall around services that ship profiles. killUnconfinedConfinables
# restarts processes started before their profile loaded, so the profile applies to them too.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.apparmor;
in
{
  options.hub.features.apparmor = {
    killUnconfined = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Restart confinable processes that started unconfined when profiles change.";
    };
  };

  config = lib.mkIf cfg.enable {
    security.apparmor = {
      enable = true;
      killUnconfinedConfinables = lib.mkDefault cfg.killUnconfined;
      packages = [ pkgs.apparmor-profiles ];
    };
  };
}
