# SSD and NVMe wear and write speed: a weekly fstrim over every mounted filesystem that supports
# discard, instead of the `discard` mount option, which trims on every delete and stalls I/O on
# some drives (util-linux's fstrim(8) recommends the periodic run).
{ config, lib, ... }:
let
  cfg = config.hub.features.ssd-trim;
in
{
  options.hub.features.ssd-trim = {
    interval = lib.mkOption {
      type = lib.types.str;
      default = "weekly";
      description = "How often fstrim runs (systemd.time(7) calendar event).";
    };
  };

  config = lib.mkIf cfg.enable {
    services.fstrim = {
      enable = lib.mkDefault true;
      interval = lib.mkDefault cfg.interval;
    };
  };
}
