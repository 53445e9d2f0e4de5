# Grafana on :3001 (the fleet's historical port; 3000 is often taken by dev servers). Secrets are
# read from files with Grafana's $__file provider so they never enter the Nix store.
{ config, lib, ... }:
let
  cfg = config.features.grafana;
  dashboardsDir = config.features.prometheus.generatedDir + "/dashboards";
in
{
  options.features.grafana = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 3001;
      description = "Port Grafana's web server listens on.";
    };
    secretKeyFile = lib.mkOption {
      type = lib.types.str;
      default = "/run/agenix/grafana-secret-key";
      description = "File with the key Grafana signs cookies and encrypts data source secrets with.";
    };
    adminPasswordFile = lib.mkOption {
      type = lib.types.str;
      default = "/run/agenix/grafana-admin-password";
      description = "File with the initial password of Grafana's admin user.";
    };
    interfaces = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "tailscale0" ];
      description = "Interfaces on which the firewall admits Grafana.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.grafana = {
      enable = true;
      settings = {
        server = {
          http_addr = "0.0.0.0";
          http_port = cfg.port;
        };
        security = {
          secret_key = "$__file{${cfg.secretKeyFile}}";
          admin_password = "$__file{${cfg.adminPasswordFile}}";
        };
        analytics.reporting_enabled = false;
      };
      provision = {
        enable = true;
        datasources.settings.datasources = [
          {
            name = "Prometheus";
            type = "prometheus";
            url = "http://127.0.0.1:${toString config.features.prometheus.port}";
            isDefault = true;
          }
        ] ++ lib.optional config.features.loki.enable {
          name = "Loki";
          type = "loki";
          url = "http://127.0.0.1:${toString config.features.loki.port}";
        };
        # The hub's dashboards (`go tool mage monitor:dashboards`), read-only in Grafana.
        dashboards.settings.providers = lib.optional (builtins.pathExists dashboardsDir) {
          name = "hub";
          disableDeletion = true;
          options.path = dashboardsDir;
        };
      };
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
