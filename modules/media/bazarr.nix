# Bazarr writes subtitles next to the media files, so it joins the media group.
{ config, lib, ... }:
let
  cfg = config.hub.features.bazarr;
  media = config.hub.features.media-base;
in
{
  options.hub.features.bazarr = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 6767;
      description = "Port of the Bazarr web UI.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.bazarr = {
      enable = true;
      group = media.group;
      listenPort = cfg.port;
    };
    networking.firewall.interfaces = lib.genAttrs media.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
