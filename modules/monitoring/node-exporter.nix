# node_exporter on every host; Prometheus on the monitoring server reaches it over Tailscale.
{ config, lib, ... }:
let
  cfg = config.features.node-exporter;
in
{
  options.features.node-exporter = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 9100;
      description = "Port node_exporter listens on.";
    };
    interfaces = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "tailscale0" ];
      description = "Interfaces on which the firewall admits scrapes.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.prometheus.exporters.node = {
      enable = true;
      port = cfg.port;
      enabledCollectors = [ "systemd" "processes" ];
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
