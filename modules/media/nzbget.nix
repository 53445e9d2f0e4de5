# NZBGet downloads into the library's downloads directory, so it runs with the media group.
# nixpkgs' nzbget module puts unrar (unfree) on the unit's PATH to unpack downloads, so the feature
# allows it: every host that enables nzbget gets it on its unfree list, and no host has to know.
{ config, lib, ... }:
let
  cfg = config.hub.features.nzbget;
  media = config.hub.features.media-base;
in
{
  options.hub.features.nzbget = {
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
    hub.allowUnfree = [ "unrar" ];
    networking.firewall.interfaces = lib.genAttrs media.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
