# Plex Media Server (unfree). Its port is open on every interface by default because the TVs that
# play from it are on the local network, not on Tailscale.
{ config, lib, ... }:
let
  cfg = config.hub.features.plex;
  media = config.hub.features.media-base;
in
{
  options.hub.features.plex = {
    openFirewall = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Open Plex's ports (32400 and discovery) on all interfaces for LAN clients.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.plex = {
      enable = true;
      group = media.group;
      openFirewall = cfg.openFirewall;
    };
    hub.allowUnfree = [ "plexmediaserver" ];
  };
}
