# NZBGet downloads into the library's downloads directory, so it runs with the media group.
{ config, lib, ... }:
let
  cfg = config.features.nzbget;
  media = config.features.media-base;
in
{
  options.features.nzbget = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 6789;
      description = "Port of the NZBGet web UI and API.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.nzbget = {
      enable = true;
      group = media.group;
      settings = {
        ControlPort = cfg.port;
        MainDir = "${media.libraryDir}/downloads";
      };
    };
    networking.firewall.interfaces = lib.genAttrs media.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
