# The fleet's private network: hosts reach each other (and the hub reaches them) by MagicDNS name.
# MagicDNS goes through systemd-resolved; whether the host's owner of /etc/resolv.conf allows
# --accept-dns is checked by feature dns (dns.nix).
{ config, lib, ... }:
let
  cfg = config.hub.features.tailscale;
in
{
  options.hub.features.tailscale = {
    authKeyFile = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "/run/agenix/tailscale-auth-key";
      description = "Pre-authorised key that joins the host to the tailnet on first boot; null to log in by hand.";
    };
    acceptDns = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = ''
        Let tailscale configure DNS (tailscale set --accept-dns): MagicDNS names and the
        tailnet's resolvers, through systemd-resolved. Turn it off on a host whose
        /etc/resolv.conf is owned by static-dns or networkmanager-dns.
      '';
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
      openFirewall = lib.mkDefault true;
      useRoutingFeatures = cfg.routingFeatures;
      authKeyFile = cfg.authKeyFile;
      # tailscale set (the tailscaled-set unit, on every start), not up: extraUpFlags only
      # apply with authKeyFile, on first login.
      extraSetFlags = [ "--accept-dns=${lib.boolToString cfg.acceptDns}" ];
    };
    # Tailscale filters its own traffic; reverse-path filtering would drop routed packets.
    networking.firewall.checkReversePath = lib.mkDefault "loose";
  };
}
