# The fleet's private network: hosts reach each other (and the hub reaches them) by MagicDNS name.
{ config, lib, ... }:
let
  cfg = config.features.tailscale;
in
{
  options.features.tailscale = {
    authKeyFile = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "/run/agenix/tailscale-auth-key";
      description = "Pre-authorised key that joins the host to the tailnet on first boot; null to log in by hand.";
    };
    routingFeatures = lib.mkOption {
      type = lib.types.enum [ "none" "client" "server" "both" ];
      default = "client";
      description = "Whether the host uses and/or offers subnet routes and exit nodes.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.tailscale = {
      enable = true;
      openFirewall = true;
      useRoutingFeatures = cfg.routingFeatures;
      authKeyFile = cfg.authKeyFile;
    };
    # Tailscale filters its own traffic; reverse-path filtering would drop routed packets.
    networking.firewall.checkReversePath = "loose";
  };
}
