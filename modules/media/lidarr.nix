# Lidarr manages music, writing into the shared media library. The UI port is opened only on hub.features.media-base.interfaces.
{ config, lib, pkgs, ... }:
let
  keys = import ../lib/servarr-apikey.nix;
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
      environmentFiles = [ (keys.envFile "lidarr") ];
    };
    # The hub owns the API key: Lidarr takes it from LIDARR__AUTH__APIKEY
    # (modules/lib/servarr-apikey.nix), so `secrets:rotate lidarr-api-key.age` restarts
    # lidarr.service onto the new one.
    age.secrets.lidarr-api-key.file = ../../secrets/lidarr-api-key.age;
    systemd.services = keys.nixosServices { app = "lidarr"; keyFile = config.age.secrets.lidarr-api-key.path; inherit pkgs; };
    networking.firewall.interfaces = lib.genAttrs media.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
