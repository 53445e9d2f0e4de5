# Alertmanager next to Prometheus. Routing and receivers come from the hub's generated directory
# when present; otherwise alerts are kept in Alertmanager's UI with nowhere to be sent.
{ config, lib, ... }:
let
  cfg = config.features.alertmanager;
  generated = config.features.prometheus.generatedDir + "/alertmanager.yml";
in
{
  options.features.alertmanager = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 9093;
      description = "Port Alertmanager listens on.";
    };
    configFile = lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = if builtins.pathExists generated then generated else null;
      defaultText = lib.literalExpression "<features.prometheus.generatedDir>/alertmanager.yml, if it exists";
      description = "Alertmanager configuration file; null for a single receiver that sends nothing.";
    };
    interfaces = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "tailscale0" ];
      description = "Interfaces on which the firewall admits the Alertmanager UI and API.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.prometheus.alertmanager = {
      enable = true;
      port = cfg.port;
      configuration = lib.mkIf (cfg.configFile == null) {
        route.receiver = "hold";
        receivers = [{ name = "hold"; }];
      };
      configText = lib.mkIf (cfg.configFile != null) (builtins.readFile cfg.configFile);
    };
    services.prometheus.alertmanagers = [
      { static_configs = [{ targets = [ "127.0.0.1:${toString cfg.port}" ]; }]; }
    ];
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
