# An iperf3 server on the fleet's servers, so throughput between two hosts (and over Tailscale)
# can be measured at any time: `iperf3 -c dex5550`. Reachable over Tailscale only.
{ config, lib, ... }:
let
  cfg = config.hub.features.iperf;
in
{
  options.hub.features.iperf = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 5201;
      description = "Port of the iperf3 server.";
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "iperf3 clients";
  };

  config = lib.mkIf cfg.enable {
    services.iperf3 = {
      enable = true;
      port = cfg.port;
      openFirewall = false;
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; allowedUDPPorts = [ cfg.port ]; });
  };
}
