# Grafana on :3001 (the fleet's historical port; 3000 is often taken by dev servers). Secrets are
# read from files with Grafana's $__file provider so they never enter the Nix store: by default
# the agenix secrets grafana-secret-key and grafana-admin (secrets/secrets.nix), decrypted for the
# grafana user, which reads them itself.
{ config, lib, ... }:
let
  cfg = config.hub.features.grafana;
  dashboardsDir = config.hub.features.prometheus.generatedDir + "/dashboards";
in
{
  options.hub.features.grafana = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 3001;
      description = "Port Grafana's web server listens on.";
    };
    secretKeyFile = lib.mkOption {
      type = lib.types.str;
      default = config.age.secrets.grafana-secret-key.path;
      defaultText = lib.literalExpression "config.age.secrets.grafana-secret-key.path";
      description = ''
        File with the key Grafana signs cookies and encrypts data source secrets with. Changing it
        on a running instance makes the secrets already in Grafana's database unreadable.
      '';
    };
    adminPasswordFile = lib.mkOption {
      type = lib.types.str;
      default = config.age.secrets.grafana-admin.path;
      defaultText = lib.literalExpression "config.age.secrets.grafana-admin.path";
      description = "File with the initial password of Grafana's admin user.";
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "Grafana";
  };

  config = lib.mkIf cfg.enable {
    # Grafana reads $__file{} itself, as its own user: agenix's default root-only files would be
    # unreadable to it.
    age.secrets.grafana-secret-key = {
      file = ../../secrets/grafana-secret-key.age;
      owner = "grafana";
      group = "grafana";
    };
    age.secrets.grafana-admin = {
      file = ../../secrets/grafana-admin.age;
      owner = "grafana";
      group = "grafana";
    };
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
        analytics.reporting_enabled = lib.mkDefault false;
      };
      provision = {
        enable = true;
        datasources.settings.datasources = [
          {
            name = "Prometheus";
            type = "prometheus";
            url = "http://127.0.0.1:${toString config.hub.features.prometheus.port}";
            isDefault = true;
          }
        ] ++ lib.optional config.hub.features.loki.enable {
          name = "Loki";
          type = "loki";
          url = "http://127.0.0.1:${toString config.hub.features.loki.port}";
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
