# USBGuard for laptops left in public places: USB devices present at boot are allowed, a device
# plugged in later is blocked until allowed (`usbguard allow-device ID`), which stops
# keystroke-injection sticks. The admin user may run usbguard without root (IPC).
{ config, lib, ... }:
let
  cfg = config.hub.features.usbguard;
in
{
  options.hub.features.usbguard = {
    rules = lib.mkOption {
      type = lib.types.nullOr lib.types.lines;
      default = null;
      example = "allow id 046d:c52b";
      description = "Permanent rules (usbguard-rules.conf(5)); null to rely on the devices present at boot.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.usbguard = {
      enable = true;
      rules = cfg.rules;
      presentDevicePolicy = lib.mkDefault "allow";
      insertedDevicePolicy = lib.mkDefault "apply-policy";
      implicitPolicyTarget = lib.mkDefault "block";
      IPCAllowedGroups = [ "wheel" ];
    };
  };
}
