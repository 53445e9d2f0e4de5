# Disk health: smartd runs the drives' self-tests (short daily, long weekly) and logs attribute
# changes; the smartctl exporter turns them into Prometheus metrics (:9633) so a failing disk
# raises an alert instead of a lost library.
{ config, lib, ... }:
let
  cfg = config.hub.features.smartd;
in
{
  options.hub.features.smartd = {
    exporter = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Run the Prometheus smartctl exporter on :9633 (Tailscale interface).";
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "Prometheus";
  };

  config = lib.mkIf cfg.enable {
    services.smartd = {
      enable = true;
      autodetect = lib.mkDefault true;
      # -a all attributes, -o on offline tests, -S on autosave, -s short tests daily at 02,
      # long tests on Saturdays at 03 (smartd.conf(5)).
      defaults.autodetected = lib.mkDefault "-a -o on -S on -s (S/../.././02|L/../../6/03) -n standby,q";
      notifications.wall.enable = lib.mkDefault true;
    };
    services.prometheus.exporters.smartctl = lib.mkIf cfg.exporter {
      enable = true;
      port = 9633;
      openFirewall = false;
    };
    networking.firewall.interfaces = lib.mkIf cfg.exporter (lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ 9633 ]; }));
  };
}
