# Radarr manages movies, writing into the shared media library. The UI port is opened only on hub.features.media-base.interfaces.
{ config, lib, pkgs, ... }:
let
  keys = import ../lib/servarr-apikey.nix;
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
      environmentFiles = [ (keys.envFile "radarr") ];
    };
    # The hub owns the API key: Radarr takes it from RADARR__AUTH__APIKEY
    # (modules/lib/servarr-apikey.nix), so `secrets:rotate radarr-api-key.age` restarts
    # radarr.service onto the new one.
    age.secrets.radarr-api-key.file = ../../secrets/radarr-api-key.age;
    systemd.services = keys.nixosServices { app = "radarr"; keyFile = config.age.secrets.radarr-api-key.path; inherit pkgs; };
    networking.firewall.interfaces = lib.genAttrs media.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
