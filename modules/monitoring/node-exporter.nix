# node_exporter on every host; Prometheus on the monitoring server reaches it over Tailscale.
# Its textfile collector reads *.prom files from textfileDir: the restic feature's timers and the
# hub's `backup:run` write hub_backup_<set>.prom there (docs/backup.md).
{ config, lib, ... }:
let
  cfg = config.hub.features.node-exporter;
in
{
  options.hub.features.node-exporter = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 9100;
      description = "Port node_exporter listens on.";
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "scrapes";
    textfileDir = lib.mkOption {
      type = lib.types.str;
      default = "/var/lib/prometheus-node-exporter/textfile";
      description = ''
        Directory of the textfile collector (--collector.textfile.directory). Root writes metrics
        there (write a temporary file, then rename it); node_exporter only reads it.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    services.prometheus.exporters.node = {
      enable = true;
      port = cfg.port;
      enabledCollectors = [ "systemd" "processes" "textfile" ];
      extraFlags = [ "--collector.textfile.directory=${cfg.textfileDir}" ];
    };
    systemd.tmpfiles.rules = [ "d ${cfg.textfileDir} 0755 root root - -" ];
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
