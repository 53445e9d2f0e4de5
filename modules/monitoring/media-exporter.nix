# hub-media-exporter, only on media hosts (the registry restricts it to servers with media-base).
# Its config file holds API keys and is root-only; LoadCredential hands a copy to the dynamic user
# without making the secret readable by anyone else.
{ config, lib, pkgs, ... }:
let
  cfg = config.features.media-exporter;
in
{
  options.features.media-exporter = import ../../nix/exporter-options.nix { inherit lib; port = 9102; } // {
    package = lib.mkPackageOption pkgs "hub-media-exporter" { };
    configFile = lib.mkOption {
      type = lib.types.str;
      default = "/run/agenix/media-exporter.toml";
      description = "Exporter configuration with the media services' URLs and API keys, normally an agenix secret.";
    };
  };

  config = lib.mkIf cfg.enable {
    systemd.services.hub-media-exporter = {
      description = "Prometheus exporter for Plex, Jellyfin, the *arr apps and Tautulli";
      wantedBy = [ "multi-user.target" ];
      after = [ "network-online.target" ];
      wants = [ "network-online.target" ];
      serviceConfig = import ../../nix/systemd-hardening.nix // {
        LoadCredential = "media.config:${cfg.configFile}";
        ExecStart = lib.escapeShellArgs [
          (lib.getExe cfg.package)
          "--web.listen-address=${cfg.listenAddress}:${toString cfg.port}"
          "--media.config.file=%d/media.config"
        ];
      };
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
