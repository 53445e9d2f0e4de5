# Tautulli reads Plex activity (hence requires = plex); the media exporter scrapes its API.
{ config, lib, ... }:
let
  cfg = config.hub.features.tautulli;
  media = config.hub.features.media-base;
in
{
  options.hub.features.tautulli = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 8181;
      description = "Port of the Tautulli web UI and API.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.tautulli = {
      enable = true;
      port = cfg.port;
    };
    networking.firewall.interfaces = lib.genAttrs media.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
