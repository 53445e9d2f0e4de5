# Audiobookshelf serves the audiobooks and podcasts directories of the shared library.
{ config, lib, ... }:
let
  cfg = config.hub.features.audiobookshelf;
  media = config.hub.features.media-base;
in
{
  options.hub.features.audiobookshelf = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 13378;
      description = "Port Audiobookshelf listens on.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.audiobookshelf = {
      enable = true;
      group = media.group;
      host = lib.mkDefault "0.0.0.0";
      port = cfg.port;
    };
    networking.firewall.interfaces = lib.genAttrs media.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
