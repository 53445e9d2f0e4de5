# Bazarr writes subtitles next to the media files, so it joins the media group.
{ config, lib, ... }:
let
  cfg = config.features.bazarr;
  media = config.features.media-base;
in
{
  options.features.bazarr = {
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
