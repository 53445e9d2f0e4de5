# Prowlarr feeds indexers to Sonarr, Radarr and Lidarr. The NixOS service runs with DynamicUser
# and touches no library files, so it needs no media group.
{ config, lib, ... }:
let
  cfg = config.hub.features.prowlarr;
  media = config.hub.features.media-base;
in
{
  options.hub.features.prowlarr = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 9696;
      description = "Port of the Prowlarr web UI and API; used to open the firewall.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.prowlarr.enable = true;
    networking.firewall.interfaces = lib.genAttrs media.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
