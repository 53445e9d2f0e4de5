# mDNS/DNS-SD through Avahi: `host.local` names resolve (nss-mdns, IPv4) and printers and shares
# on the LAN are discovered. Publishing this host is off by default: a laptop in a café should
# not announce itself.
{ config, lib, ... }:
let
  cfg = config.hub.features.avahi;
in
{
  options.hub.features.avahi = {
    publish = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Announce this host's address and services on the local network.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.avahi = {
      enable = true;
      nssmdns4 = lib.mkDefault true;
      # mDNS is link-local: UDP 5353 open on the LAN interfaces, which discovery needs.
      openFirewall = lib.mkDefault true;
      publish = {
        enable = lib.mkDefault cfg.publish;
        addresses = lib.mkDefault cfg.publish;
      };
    };
  };
}
