# Jellyseerr: requests for films and series from the household, passed to Sonarr and Radarr,
# with Jellyfin's users as its logins. Configured in its web UI (state in /var/lib/jellyseerr).
{ config, lib, ... }:
let
  cfg = config.hub.features.jellyseerr;
in
{
  options.hub.features.jellyseerr = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 5055;
      description = "Port of the web UI.";
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "browsers";
  };

  config = lib.mkIf cfg.enable {
    services.jellyseerr = {
      enable = true;
      port = cfg.port;
      openFirewall = false;
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
