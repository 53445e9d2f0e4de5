# hub-baseline-exporter keeps its baselines in a StateDirectory, the one path its sandbox can write.
{ config, lib, pkgs, ... }:
let
  cfg = config.features.baseline-exporter;
  stateDir = "/var/lib/hub-baseline-exporter";
in
{
  options.features.baseline-exporter = import ../../nix/exporter-options.nix { inherit lib; port = 9103; } // {
    package = lib.mkPackageOption pkgs "hub-baseline-exporter" { };
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
          # Each boot's phases, once per boot (docs/performance.md).
          "--baseline.systemd-analyze=${config.systemd.package}/bin/systemd-analyze"
        ];
      };
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
