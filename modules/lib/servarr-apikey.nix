# How an *arr app (Sonarr, Radarr, Lidarr, Prowlarr) gets the hub's API key: the apps make their
# own key and ignore one sent to their config API; the one way in from outside is
# <APP>__AUTH__APIKEY in their environment (services.<app>.environmentFiles, nixos-25.11). A
# oneshot, <app>-apikey.service (the exporters' hardening: a dynamic user given the root-only
# secret by LoadCredential, no network), turns the app's agenix secret (the raw key, which the
# media exporter reads too) into that one line in /run/<app>-apikey/apikey.env before the app
# starts; systemd, not the app, reads the file.
# It is PartOf the app, so `systemctl restart <app>.service` (secrets:rotate's restart consumer)
# writes the file again from the newly deployed key before the app reads it.
#
# One fact for two readers: modules/media/<app>.nix set these values on NixOS, and the local
# fleet's systemd hosts (nix/localfleet/system.nix, variant servarr) run the same unit, so what
# internal/rotation's test proves about a restart reaching the app's environment is about these
# settings. Pure: builtins only.
let
  hardening = import ./systemd-hardening.nix;
  unit = app: "${app}-apikey";
in
rec {
  # The variable each app reads its API key from (the apps' own configuration names:
  # <APP>__SECTION__KEY, section Auth, key ApiKey).
  vars = {
    sonarr = "SONARR__AUTH__APIKEY";
    radarr = "RADARR__AUTH__APIKEY";
    lidarr = "LIDARR__AUTH__APIKEY";
    prowlarr = "PROWLARR__AUTH__APIKEY";
  };

  writerUnit = app: "${unit app}.service";

  # The environment file, in the writer's RuntimeDirectory: created empty (0700) at each start
  # of the writer and removed when it (and so the app) stops, so the file is always written
  # fresh, and systemd reads it only after the writer exited successfully.
  envFile = app: "/run/${unit app}/apikey.env";

  # sh SCRIPT KEY_FILE ENV_FILE VAR: one line VAR=<key>, mode 0400. A key that is not one line
  # of letters and digits (the apps' keys are 32 hex digits) fails the writer, and so the app,
  # instead of starting it with a key it would not take or an environment line systemd would
  # parse differently.
  script = ''
    set -eu
    key=
    IFS= read -r key < "$1" || true # a last line without a newline is still read
    case $key in
      "" | *[!A-Za-z0-9]*)
        echo "$1: not an API key (want one line of letters and digits)" >&2
        exit 1
        ;;
    esac
    umask 0277
    printf '%s=%s\n' "$3" "$key" > "$2"
  '';

  # systemd.services.<app>-apikey. keyFile: the agenix secret with the raw key (root 0400),
  # handed to the unit's dynamic user by LoadCredential; sh: a POSIX shell; scriptFile: `script`
  # in the store.
  writer = { app, keyFile, sh, scriptFile }: {
    description = "Environment file with ${app}'s API key (${vars.${app}}) from its agenix secret";
    before = [ "${app}.service" ];
    partOf = [ "${app}.service" ];
    serviceConfig = hardening // {
      Type = "oneshot";
      RemainAfterExit = true;
      Restart = "no";
      # It reads a file and writes one: no network at all.
      PrivateNetwork = true;
      RestrictAddressFamilies = [ "AF_UNIX" ];
      LoadCredential = [ "apikey:${keyFile}" ];
      RuntimeDirectory = unit app;
      RuntimeDirectoryMode = "0700";
      ExecStart = "${sh} ${scriptFile} %d/apikey ${envFile app} ${vars.${app}}";
    };
  };

  # What the app's own unit adds: it needs the writer and starts after it.
  appUnit = app: {
    requires = [ (writerUnit app) ];
    after = [ (writerUnit app) ];
  };

  # systemd.services of a NixOS host running app: the writer, and the app's dependency on it.
  # pkgs: nixpkgs (runtimeShell, writeText).
  nixosServices = { app, keyFile, pkgs }: {
    ${app} = appUnit app;
    ${unit app} = writer {
      inherit app keyFile;
      sh = pkgs.runtimeShell;
      scriptFile = pkgs.writeText "${unit app}.sh" script;
    };
  };
}
