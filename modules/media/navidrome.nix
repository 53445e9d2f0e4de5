# Navidrome, a Subsonic-compatible music server over the library Lidarr fills, for phone apps
# (Symfonium, DSub). Reads the media group's music directory; scans hourly.
{ config, lib, ... }:
let
  cfg = config.hub.features.navidrome;
  media = config.hub.features.media-base;
in
{
  options.hub.features.navidrome = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 4533;
      description = "Port of the web UI and Subsonic API.";
    };
    musicFolder = lib.mkOption {
      type = lib.types.str;
      default = "/srv/media/music";
      description = "Music library Navidrome scans.";
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "clients";
  };

  config = lib.mkIf cfg.enable {
    services.navidrome = {
      enable = true;
      group = media.group;
      settings = {
        Address = "0.0.0.0";
        Port = cfg.port;
        MusicFolder = cfg.musicFolder;
        ScanSchedule = lib.mkDefault "@every 1h";
        EnableInsightsCollector = lib.mkDefault false;
      };
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
