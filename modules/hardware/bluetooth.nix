# Bluetooth for headsets and input devices. Powered on at boot on workstations and laptops so a
# paired keyboard works at the login screen; the experimental flag gives headsets' battery levels
# to UPower/GNOME (BlueZ's main.conf, [General] Experimental).
{ config, lib, ... }:
let
  cfg = config.hub.features.bluetooth;
in
{
  options.hub.features.bluetooth = {
    powerOnBoot = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Power the controller on at boot.";
    };
  };

  config = lib.mkIf cfg.enable {
    hardware.bluetooth = {
      enable = lib.mkDefault true;
      powerOnBoot = lib.mkDefault cfg.powerOnBoot;
      settings.General = {
        Experimental = lib.mkDefault true;
        # Headsets reconnect without asking; A2DP and HFP both offered.
        FastConnectable = lib.mkDefault true;
        Enable = lib.mkDefault "Source,Sink,Media,Socket";
      };
    };
  };
}
