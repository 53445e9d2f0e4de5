# hub-media-exporter, only on media hosts (the registry restricts it to servers with media-base).
# Its configuration holds no secret, only URLs and the paths of credential files (internal/media), so it
# is generated here from the media features the host runs: one instance per application that has
# a credential. The credentials are agenix secrets, root-only; LoadCredential hands the exporter's
# dynamic user a copy of each under /run/credentials/hub-media-exporter.service/, where the
# generated configuration points.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.media-exporter;
  # The unit's settings and the generated configuration's layout, shared with the local fleet's
  # systemd hosts, which run them.
  services = import ../lib/exporter-services.nix { inherit lib; };

  # The port each application the exporter knows (services.credentialKeys) answers on here.
  ports = {
    jellyfin = 8096;
    plex = 32400;
    tautulli = config.hub.features.tautulli.port;
    sonarr = config.hub.features.sonarr.port;
    radarr = config.hub.features.radarr.port;
    lidarr = config.hub.features.lidarr.port;
    prowlarr = config.hub.features.prowlarr.port;
  };

  # The credentials secrets/secrets.nix provides, used for the applications whose feature is on:
  # Jellyfin's key is declared below, the *arr apps' by their own modules (the apps take the same
  # key from their environment, modules/lib/servarr-apikey.nix). Plex's token and Tautulli's key
  # are not provisioned: add them to secrets.nix and to hub.features.media-exporter.credentialFiles.
  provisioned = lib.filterAttrs (app: _: config.hub.features.${app}.enable) {
    jellyfin = config.age.secrets.jellyfin-api-key.path;
    sonarr = config.age.secrets.sonarr-api-key.path;
    radarr = config.age.secrets.radarr-api-key.path;
    lidarr = config.age.secrets.lidarr-api-key.path;
    prowlarr = config.age.secrets.prowlarr-api-key.path;
  };

  generated = (pkgs.formats.toml { }).generate "hub-media-exporter.toml" (services.mediaConfig {
    inherit (cfg) credentialFiles;
    urls = lib.mapAttrs (_: port: "http://127.0.0.1:${toString port}") ports;
  });
in
{
  options.hub.features.media-exporter = import ../lib/exporter-options.nix { inherit lib; port = services.ports.media; } // {
    package = lib.mkPackageOption pkgs "hub-media-exporter" { };
    credentialFiles = lib.mkOption {
      type = lib.types.attrsOf lib.types.str;
      default = provisioned;
      defaultText = lib.literalExpression ''
        { jellyfin = config.age.secrets.jellyfin-api-key.path;
          sonarr = config.age.secrets.sonarr-api-key.path;
          radarr = config.age.secrets.radarr-api-key.path;
          lidarr = config.age.secrets.lidarr-api-key.path;
          prowlarr = config.age.secrets.prowlarr-api-key.path; }  # for the features that are enabled
      '';
      example = { plex = "/run/agenix/plex-token"; };
      description = ''
        Credential file (API key or token, on the host) of each application to query, by name:
        jellyfin, plex, tautulli, sonarr, radarr, lidarr, prowlarr. Each gets one instance named
        "main" on 127.0.0.1 at the application's port.
      '';
    };
    configFile = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      description = ''
        A configuration file of your own (several instances per application, remote URLs) instead
        of the generated one; read through LoadCredential, so it may be a root-only agenix secret.
        Its credential files must be readable by the exporter's dynamic user.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    age.secrets.jellyfin-api-key = lib.mkIf config.hub.features.jellyfin.enable { file = ../../secrets/jellyfin-api-key.age; };

    systemd.services.hub-media-exporter = services.media {
      exe = lib.getExe cfg.package;
      inherit (cfg) listenAddress port credentialFiles configFile;
      generatedConfig = generated;
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });

    assertions = [
      {
        assertion = cfg.configFile != null || cfg.credentialFiles != { };
        message = "host ${config.networking.hostName}: hub.features.media-exporter has no application to query: enable jellyfin or an *arr app, or set hub.features.media-exporter.credentialFiles or configFile";
      }
      {
        assertion = lib.all (app: services.credentialKeys ? ${app}) (builtins.attrNames cfg.credentialFiles);
        message = "host ${config.networking.hostName}: hub.features.media-exporter.credentialFiles names unknown applications (known: ${lib.concatStringsSep ", " (builtins.attrNames services.credentialKeys)})";
      }
    ];
  };
}
