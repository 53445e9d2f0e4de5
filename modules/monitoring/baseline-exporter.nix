# hub-baseline-exporter keeps its baselines in a StateDirectory, the one path its sandbox can write.
{ config, lib, pkgs, ... }:
let
  cfg = config.features.baseline-exporter;
  stateDir = "/var/lib/hub-baseline-exporter";
in
{
  options.features.baseline-exporter = {
    package = lib.mkPackageOption pkgs "hub-baseline-exporter" { };
    listenAddress = lib.mkOption {
      type = lib.types.str;
      default = "0.0.0.0";
      description = "Address the exporter binds (the firewall still limits it to the listed interfaces).";
    };
    port = lib.mkOption {
      type = lib.types.port;
      default = 9103;
      description = "Port the exporter listens on.";
    };
    interfaces = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "tailscale0" ];
      description = "Interfaces on which the firewall admits scrapes.";
    };
  };

  config = lib.mkIf cfg.enable {
    systemd.services.hub-baseline-exporter = {
      description = "Prometheus exporter for deviations from recorded host baselines";
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      serviceConfig = import ../../nix/systemd-hardening.nix // {
        StateDirectory = "hub-baseline-exporter";
        ExecStart = lib.escapeShellArgs [
          (lib.getExe cfg.package)
          "--web.listen-address=${cfg.listenAddress}:${toString cfg.port}"
          "--baseline.state-dir=${stateDir}"
        ];
      };
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
