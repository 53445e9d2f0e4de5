# Firmware updates from LVFS (UEFI capsules, SSDs, docks, peripherals): `fwupdmgr refresh &&
# fwupdmgr update` on the host. Without it firmware stays at what the vendor shipped.
{ config, lib, ... }:
let
  cfg = config.hub.features.fwupd;
in
{
  options.hub.features.fwupd = {
    testing = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Also offer firmware from LVFS' testing remote.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.fwupd = {
      enable = true;
      extraRemotes = lib.optionals cfg.testing [ "lvfs-testing" ];
    };
  };
}
