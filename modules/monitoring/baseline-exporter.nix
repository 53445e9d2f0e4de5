# hub-baseline-exporter keeps its baselines in a StateDirectory, the one path its sandbox can write.
# The unit's settings are modules/lib/exporter-services.nix's, which the local fleet's systemd hosts run.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.baseline-exporter;
  services = import ../lib/exporter-services.nix { inherit lib; };
in
{
  options.hub.features.baseline-exporter = import ../lib/exporter-options.nix { inherit lib; port = services.ports.baseline; } // {
    package = lib.mkPackageOption pkgs "hub-baseline-exporter" { };
  };

  config = lib.mkIf cfg.enable {
    systemd.services.hub-baseline-exporter = services.baseline {
      exe = lib.getExe cfg.package;
      inherit (cfg) listenAddress port;
      # Each boot's phases, once per boot (docs/performance.md).
      systemdAnalyze = "${config.systemd.package}/bin/systemd-analyze";
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
