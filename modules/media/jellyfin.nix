# Jellyfin, the free alternative to Plex for clients that prefer it; same library, same group.
{ config, lib, ... }:
let
  cfg = config.hub.features.jellyfin;
  media = config.hub.features.media-base;
in
{
  options.hub.features.jellyfin = {
    openFirewall = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Open Jellyfin's ports (8096, 8920 and discovery) on all interfaces for LAN clients.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.jellyfin = {
      enable = true;
      group = media.group;
      openFirewall = cfg.openFirewall;
    };
  };
}
