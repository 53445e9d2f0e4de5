# Nightly restic backup of the host's state. The repository location and password are agenix
# secrets (hence requires = agenix) so neither lands in the Nix store.
{ config, lib, ... }:
let
  cfg = config.features.restic;
in
{
  options.features.restic = {
    paths = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "/var/lib" "/home" "/etc/ssh" ];
      description = "Paths backed up.";
    };
    exclude = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "/var/lib/docker" "/var/lib/containers" "/var/lib/ollama" "/home/*/.cache" ];
      description = "Patterns excluded (container images and models are rebuilt, not restored).";
    };
    repositoryFile = lib.mkOption {
      type = lib.types.str;
      default = "/run/agenix/restic-repository";
      description = "File holding the restic repository URL.";
    };
    passwordFile = lib.mkOption {
      type = lib.types.str;
      default = "/run/agenix/restic-password";
      description = "File holding the repository password.";
    };
    environmentFile = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "/run/agenix/restic-env";
      description = "Environment file with the storage backend's credentials (for example AWS_ACCESS_KEY_ID).";
    };
    schedule = lib.mkOption {
      type = lib.types.str;
      default = "02:30";
      description = "systemd calendar expression for the backup.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.restic.backups.hub = {
      initialize = true;
      inherit (cfg) paths exclude repositoryFile passwordFile environmentFile;
      timerConfig = {
        OnCalendar = cfg.schedule;
        RandomizedDelaySec = "30m";
        Persistent = true;
      };
      pruneOpts = [ "--keep-daily 7" "--keep-weekly 5" "--keep-monthly 12" ];
    };
  };
}
