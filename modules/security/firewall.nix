# Closed by default; services open ports on the Tailscale interface only (see their interfaces
# options), so nothing but SSH is reachable from the local network.
{ config, lib, ... }:
let
  cfg = config.hub.features.firewall;
in
{
  options.hub.features.firewall = {
    logRefused = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Log refused connections (noisy on laptops in public networks).";
    };
  };

  config = lib.mkIf cfg.enable {
    networking.nftables.enable = true;
    networking.firewall = {
      enable = true;
      allowPing = lib.mkDefault true;
      logRefusedConnections = cfg.logRefused;
    };
  };
}
