# hub-nixos-exporter: generations, booted vs current system, reboot required. It reads the
# profiles under --nixos.root and nothing else, so it runs with the exporters' strict sandbox.
{ config, lib, pkgs, ... }:
let
  cfg = config.features.nixos-exporter;
in
{
  options.features.nixos-exporter = {
    package = lib.mkPackageOption pkgs "hub-nixos-exporter" { };
    listenAddress = lib.mkOption {
      type = lib.types.str;
      default = "0.0.0.0";
      description = "Address the exporter binds (the firewall still limits it to the listed interfaces).";
    };
    port = lib.mkOption {
      type = lib.types.port;
      default = 9101;
      description = "Port the exporter listens on.";
    };
    root = lib.mkOption {
      type = lib.types.str;
      default = "/";
      description = "Root under which the exporter finds /nix/var/nix/profiles and /run/{current,booted}-system.";
    };
    interfaces = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "tailscale0" ];
      description = "Interfaces on which the firewall admits scrapes.";
    };
  };

  config = lib.mkIf cfg.enable {
    systemd.services.hub-nixos-exporter = {
      description = "Prometheus exporter for NixOS generations and reboot state";
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      serviceConfig = import ../../nix/systemd-hardening.nix // {
        ExecStart = lib.escapeShellArgs [
          (lib.getExe cfg.package)
          "--web.listen-address=${cfg.listenAddress}:${toString cfg.port}"
          "--nixos.root=${cfg.root}"
        ];
      };
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
