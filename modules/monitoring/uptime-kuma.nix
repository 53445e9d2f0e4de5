# Uptime Kuma on the monitoring server: outside-in checks of the fleet's web UIs (Plex, Jellyfin,
# Grafana, Open WebUI) with a status page, complementing Prometheus' inside-out metrics. Monitors
# are added in its UI (state in /var/lib/uptime-kuma).
{ config, lib, ... }:
let
  cfg = config.hub.features.uptime-kuma;
in
{
  options.hub.features.uptime-kuma = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 3002;
      description = "Port of the web UI (3001 is Grafana's here).";
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "browsers";
  };

  config = lib.mkIf cfg.enable {
    services.uptime-kuma = {
      enable = true;
      settings = {
        HOST = "0.0.0.0";
        PORT = toString cfg.port;
      };
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
