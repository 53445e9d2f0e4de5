# What the media services share: one group that owns the library, so Sonarr can write what Plex
# and Jellyfin read without world-writable directories.
{ config, lib, ... }:
let
  cfg = config.hub.features.media-base;
in
{
  options.hub.features.media-base = {
    group = lib.mkOption {
      type = lib.types.str;
      default = "media";
      description = "Group owning the media library; every media service runs with it.";
    };
    libraryDir = lib.mkOption {
      type = lib.types.str;
      default = "/srv/media";
      description = "Root of the media library (movies, tv, music, audiobooks, downloads below it).";
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "the management UIs (*arr apps, NZBGet, Tautulli)";
  };

  config = lib.mkIf cfg.enable {
    users.groups.${cfg.group} = { };
    systemd.tmpfiles.rules = map (d: "d ${cfg.libraryDir}/${d} 2775 root ${cfg.group} - -")
      [ "movies" "tv" "music" "audiobooks" "podcasts" "downloads" ];
  };
}
