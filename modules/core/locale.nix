# One place for time zone and locale so logs from every host line up.
{ config, lib, ... }:
let
  cfg = config.hub.features.locale;
in
{
  options.hub.features.locale = {
    timeZone = lib.mkOption {
      type = lib.types.str;
      default = "UTC";
      description = "IANA time zone of the host.";
    };
    defaultLocale = lib.mkOption {
      type = lib.types.str;
      default = "en_US.UTF-8";
      description = "Default system locale.";
    };
    keyMap = lib.mkOption {
      type = lib.types.str;
      default = "us";
      description = "Console keyboard layout.";
    };
  };

  config = lib.mkIf cfg.enable {
    time.timeZone = cfg.timeZone;
    i18n.defaultLocale = cfg.defaultLocale;
    console.keyMap = cfg.keyMap;
  };
}
