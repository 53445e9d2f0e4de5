# SABnzbd, the Usenet downloader with a web UI, as an alternative to NZBGet (they conflict: both
# would claim the *arr apps' download client). Runs in the media group so finished downloads are
# readable by Sonarr and Radarr.
{ config, lib, ... }:
let
  cfg = config.hub.features.sabnzbd;
  media = config.hub.features.media-base;
in
{
  options.hub.features.sabnzbd = {
    interfaces = import ../lib/admit.nix { inherit lib; } "the web UI (port 8080 unless changed in its UI)";
  };

  config = lib.mkIf cfg.enable {
    services.sabnzbd = {
      enable = true;
      group = media.group;
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ 8080 ]; });
  };
}
