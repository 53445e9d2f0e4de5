# The systemd services of the hub's three exporters, as values of NixOS's systemd.services.<name>:
# description, ordering and serviceConfig (the shared hardening, credentials, state directory and
# command line). One fact for two readers: modules/monitoring/*-exporter.nix set these values on
# NixOS, and the local fleet (nix/localfleet/units.nix) renders the same values into the unit
# files a systemd host runs, so what its tests prove about the hardening and the credential
# layout is about the modules' settings, not a copy of them.
#
# Pure on purpose: a function of a lib providing escapeShellArgs, mapAttrsToList and optional
# (nixpkgs' lib, or the option check's offline one), of store paths and of strings; nothing from
# pkgs, so it evaluates where nixpkgs cannot be fetched.
{ lib }:
let
  hardening = import ./systemd-hardening.nix;
  mediaUnit = "hub-media-exporter";
  baselineState = "hub-baseline-exporter";
  # The key of each application's credential in the media exporter's configuration.
  credentialKeys = {
    jellyfin = "token_file";
    plex = "token_file";
    tautulli = "api_key_file";
    sonarr = "api_key_file";
    radarr = "api_key_file";
    lidarr = "api_key_file";
    prowlarr = "api_key_file";
  };
in
{
  # The ports each exporter listens on unless told otherwise.
  ports = { nixos = 9101; media = 9102; baseline = 9103; };

  # exe: the exporter's executable; nixStore: the nix-store it lists closures with (systemd units
  # have no nix on PATH).
  nixos = { exe, listenAddress, port, root, nixStore }: {
    description = "Prometheus exporter for NixOS generations and reboot state";
    wantedBy = [ "multi-user.target" ];
    after = [ "network.target" ];
    serviceConfig = hardening // {
      ExecStart = lib.escapeShellArgs [
        exe
        "--web.listen-address=${listenAddress}:${toString port}"
        "--nixos.root=${root}"
        "--nixos.nix-store-binary=${nixStore}"
      ];
    };
  };

  # The state directory is the one path its sandbox can write.
  # systemdAnalyze: the systemd-analyze boot baselines are read with (null: none).
  baseline = { exe, listenAddress, port, systemdAnalyze ? null }: {
    description = "Prometheus exporter for deviations from recorded host baselines";
    wantedBy = [ "multi-user.target" ];
    after = [ "network.target" ];
    serviceConfig = hardening // {
      StateDirectory = baselineState;
      ExecStart = lib.escapeShellArgs ([
        exe
        "--web.listen-address=${listenAddress}:${toString port}"
        "--baseline.state-dir=/var/lib/${baselineState}"
      ] ++ lib.optional (systemdAnalyze != null) "--baseline.systemd-analyze=${systemdAnalyze}");
    };
  };

  # credentialFiles: app -> a credential file on the host, typically a root-only agenix secret.
  # LoadCredential has systemd (root) copy each into $CREDENTIALS_DIRECTORY
  # (/run/credentials/hub-media-exporter.service/<app>), readable by the dynamic user alone;
  # generatedConfig points there (mediaConfig). configFile, when set, replaces generatedConfig
  # and is itself read as a credential.
  media = { exe, listenAddress, port, credentialFiles, generatedConfig, configFile ? null }: {
    description = "Prometheus exporter for Plex, Jellyfin, the *arr apps and Tautulli";
    wantedBy = [ "multi-user.target" ];
    after = [ "network-online.target" ];
    wants = [ "network-online.target" ];
    serviceConfig = hardening // {
      LoadCredential = lib.mapAttrsToList (app: file: "${app}:${file}") credentialFiles
        ++ lib.optional (configFile != null) "media.config:${configFile}";
      ExecStart = lib.escapeShellArgs [
        exe
        "--web.listen-address=${listenAddress}:${toString port}"
        "--media.config.file=${if configFile != null then "%d/media.config" else generatedConfig}"
      ];
    };
  };

  # The media exporter's configuration (docs/media-exporter.md) as data, for the caller to write
  # as TOML: one instance "main" per application with a credential, at urls.<app>, its credential
  # read from where LoadCredential puts it.
  mediaConfig = { credentialFiles, urls }: builtins.mapAttrs
    (app: _: [{
      name = "main";
      url = urls.${app};
      ${credentialKeys.${app}} = "/run/credentials/${mediaUnit}.service/${app}";
    }])
    credentialFiles;

  # The applications the media exporter knows, each with its credential's configuration key.
  inherit credentialKeys;
}
