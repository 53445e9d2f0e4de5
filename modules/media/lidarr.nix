# Lidarr manages music, writing into the shared media library. The UI port is opened only on hub.features.media-base.interfaces.
{ config, lib, ... }:
let
  cfg = config.hub.features.lidarr;
  media = config.hub.features.media-base;
in
{
  options.hub.features.lidarr = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 8686;
      description = "Port of the Lidarr web UI and API; Lidarr reads it from its own config, this only opens the firewall.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.lidarr = {
      enable = true;
      group = media.group;
    };
    networking.firewall.interfaces = lib.genAttrs media.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
