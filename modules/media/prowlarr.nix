# Prowlarr feeds indexers to Sonarr, Radarr and Lidarr. The NixOS service runs with DynamicUser
# and touches no library files, so it needs no media group.
{ config, lib, pkgs, ... }:
let
  keys = import ../lib/servarr-apikey.nix;
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
    services.prowlarr = {
      enable = true;
      environmentFiles = [ (keys.envFile "prowlarr") ];
    };
    # The hub owns the API key: Prowlarr takes it from PROWLARR__AUTH__APIKEY
    # (modules/lib/servarr-apikey.nix), so `secrets:rotate prowlarr-api-key.age` restarts
    # prowlarr.service onto the new one.
    age.secrets.prowlarr-api-key.file = ../../secrets/prowlarr-api-key.age;
    systemd.services = keys.nixosServices { app = "prowlarr"; keyFile = config.age.secrets.prowlarr-api-key.path; inherit pkgs; };
    networking.firewall.interfaces = lib.genAttrs media.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
