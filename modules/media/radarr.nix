# Radarr manages movies, writing into the shared media library. The UI port is opened only on hub.features.media-base.interfaces.
{ config, lib, ... }:
let
  cfg = config.hub.features.radarr;
  media = config.hub.features.media-base;
in
{
  options.hub.features.radarr = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 7878;
      description = "Port of the Radarr web UI and API; Radarr reads it from its own config, this only opens the firewall.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.radarr = {
      enable = true;
      group = media.group;
    };
    networking.firewall.interfaces = lib.genAttrs media.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
