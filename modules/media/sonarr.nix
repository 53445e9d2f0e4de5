# Sonarr manages TV series, writing into the shared media library. The UI port is opened only on hub.features.media-base.interfaces.
{ config, lib, ... }:
let
  cfg = config.hub.features.sonarr;
  media = config.hub.features.media-base;
in
{
  options.hub.features.sonarr = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 8989;
      description = "Port of the Sonarr web UI and API; Sonarr reads it from its own config, this only opens the firewall.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.sonarr = {
      enable = true;
      group = media.group;
    };
    networking.firewall.interfaces = lib.genAttrs media.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
