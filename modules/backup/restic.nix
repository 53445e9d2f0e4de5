# Nightly restic backups, one per [[backup]] table of the host's host.toml: the same sets the hub's
# `backup:*` targets run, list, verify and prune over SSH (docs/backup.md). The mapping itself is
# pure and lives in modules/lib/backup-sets.nix (evaluable without nixpkgs); this module adds the package
# paths, the password secret and the timer defaults.
#
# Each set becomes services.restic.backups."<host>-<set>" (unit restic-backups-<host>-<set>):
# snapshots tagged set:<set> with --host <host>, live SQLite databases copied with VACUUM INTO
# beforehand, and after a successful run hub_backup_<set>.prom in node_exporter's textfile
# directory, which BackupStale-style alerts read.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.restic;
  host = config.hub.host;
  sets = host.toml.backup or [ ];

  backups = import ../lib/backup-sets.nix {
    host = host.toml;
    inherit (host) name;
    inherit (cfg) timerConfig;
    sqlite3 = lib.getExe' pkgs.sqlite "sqlite3";
    restic = lib.getExe pkgs.restic;
    textfileDir = config.hub.features.node-exporter.textfileDir;
  };

  # Password files under /run/agenix/<name> with a secrets/<name>.age in the repository are
  # declared as agenix secrets here, so a set's password_file is all a host.toml needs.
  secretsDir = ../../secrets;
  agenixSecret = file:
    let name = lib.removePrefix "/run/agenix/" file;
    in lib.optional (lib.hasPrefix "/run/agenix/" file && !(lib.hasInfix "/" name)
      && builtins.pathExists (secretsDir + "/${name}.age")) name;
  secrets = lib.unique (lib.concatMap (s: agenixSecret (s.password_file or "")) sets);
in
{
  options.hub.features.restic = {
    timerConfig = lib.mkOption {
      type = lib.types.attrsOf (lib.types.oneOf [ lib.types.str lib.types.bool lib.types.int ]);
      default = { OnCalendar = "daily"; RandomizedDelaySec = "1h"; Persistent = true; };
      description = ''
        systemd timer settings of every set's backup (a daily run, spread over an hour so hosts
        sharing a repository do not start together; Persistent catches up after downtime).
      '';
    };
    backups = lib.mkOption {
      type = lib.types.attrs;
      readOnly = true;
      default = backups;
      defaultText = lib.literalExpression "import ../lib/backup-sets.nix { ... }";
      description = "The services.restic.backups entries generated from host.toml's [[backup]] tables (for inspection).";
    };
  };

  config = lib.mkMerge [
    {
      # The inventory check (internal/inventory: hosts:check) says the same for a host.toml that lists
      # restic; these hold for the final configuration, whatever enabled or disabled the feature.
      assertions = [
        {
          assertion = !cfg.enable || sets != [ ];
          message = "host ${host.name}: feature restic is enabled but host.toml has no [[backup]] set, so nothing would be backed up (docs/backup.md)";
        }
        {
          assertion = cfg.enable || sets == [ ];
          message = "host ${host.name}: host.toml has [[backup]] sets but feature restic is disabled, so nothing runs them (no timer, no restic on the host)";
        }
      ];
    }
    (lib.mkIf cfg.enable {
      services.restic.backups = backups;

      # A set on a backup disk that no fileSystems entry mounts never runs on its own (the
      # mount check fails it every night): say so at build time, not at the first alert. A
      # warning, not an assertion: a disk plugged and mounted by hand is a valid choice.
      warnings = map
        (set: "host ${host.name}: backup set ${set.name} needs ${set.mount} mounted, but no fileSystems.\"${set.mount}\" declares it: add the backup disk to hosts/${host.name}/hardware-configuration.nix (with nofail, or as an automount), or every backup of the set fails its mount check")
        (builtins.filter (set: (set.mount or "") != "" && !(config.fileSystems ? ${set.mount})) sets);

      # Hardening that leaves a backup able to do its job: it reads everything, writes the SQLite
      # copies (/var/lib), the restic cache (/var/cache), the textfile and a local repository
      # (/var/lib or /mnt), so /usr, /boot and /etc are read-only and /home is read-only.
      systemd.services = lib.listToAttrs (map
        (set: lib.nameValuePair "restic-backups-${host.name}-${set.name}" {
          # A set on a backup disk does not start without it: the assertion fails the unit
          # before any of its commands, so neither a backup nor initialize writes a repository
          # onto the root file system's empty mount point. RequiresMountsFor mounts the disk
          # first when hardware-configuration.nix declares it (nofail, or an automount).
          unitConfig = lib.optionalAttrs ((set.mount or "") != "") {
            AssertPathIsMountPoint = set.mount;
            RequiresMountsFor = set.mount;
          };
          serviceConfig = {
            ProtectSystem = "full";
            ProtectHome = "read-only";
            PrivateDevices = true;
            NoNewPrivileges = true;
            ProtectKernelTunables = true;
            ProtectKernelModules = true;
            ProtectKernelLogs = true;
            ProtectControlGroups = true;
            ProtectClock = true;
            RestrictSUIDSGID = true;
            RestrictRealtime = true;
            LockPersonality = true;
            Nice = 10;
            IOSchedulingClass = "idle";
          };
        })
        sets);

      age.secrets = lib.genAttrs secrets (name: { file = secretsDir + "/${name}.age"; });

      # backup:run, backup:verify and backup:restore run both over SSH on the host.
      environment.systemPackages = [ pkgs.restic pkgs.sqlite ];
    })
  ];
}
