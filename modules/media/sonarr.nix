# Sonarr manages TV series, writing into the shared media library. The UI port is opened only on hub.features.media-base.interfaces.
{ config, lib, pkgs, ... }:
let
  keys = import ../lib/servarr-apikey.nix;
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
      environmentFiles = [ (keys.envFile "sonarr") ];
    };
    # The hub owns the API key: Sonarr takes it from SONARR__AUTH__APIKEY
    # (modules/lib/servarr-apikey.nix), so `secrets:rotate sonarr-api-key.age` restarts
    # sonarr.service onto the new one.
    age.secrets.sonarr-api-key.file = ../../secrets/sonarr-api-key.age;
    systemd.services = keys.nixosServices { app = "sonarr"; keyFile = config.age.secrets.sonarr-api-key.path; inherit pkgs; };
    networking.firewall.interfaces = lib.genAttrs media.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
