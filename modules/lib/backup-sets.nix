# The pure half of the restic feature (modules/backup/restic.nix): a host's [[backup]] tables
# (host.toml, schema in docs/inventory.md) turned into the attribute set the module assigns to
# services.restic.backups. Builtins only, no nixpkgs, so it can be evaluated anywhere:
#
#   nix-instantiate --eval --strict --json -E 'import ./modules/lib/backup-sets.nix {
#     host = builtins.fromTOML (builtins.readFile ./hosts/p510/host.toml); name = "p510"; }'
#
# It follows what `backup:run` does over SSH (internal/backup/run.go), so snapshots taken by the timer
# and by the hub are the same thing: tag set:<name> and --host <inventory name>, SQLite copies with
# VACUUM INTO at <sqlite_dir>/<path of the database>, integrity-checked before they replace the
# previous copy, the live files and their -wal/-shm/-journal excluded, and on success the
# textfile hub_backup_<set>.prom for node_exporter, replaced atomically.
#
# sqlite3 and restic are the commands the scripts run; the module passes the store paths of
# nixpkgs' (the defaults, plain names, are only for evaluating this file by hand).
#
# A set with a copy repository (copy = "sftp:...") gets its new snapshots copied there after each
# successful run, as backup:run does, and hub_backup_<set>_copy.prom records the copy. A set
# with a mount is not started without its disk: the module asserts the mount point
# (AssertPathIsMountPoint), so initialize never creates a repository on the root file system.
{ host
, name
, sqlite3 ? "sqlite3"
, restic ? "restic"
, textfileDir ? "/var/lib/prometheus-node-exporter/textfile"
, timerConfig ? { OnCalendar = "daily"; RandomizedDelaySec = "1h"; Persistent = true; }
}:
let
  sets = host.backup or [ ];

  # lib.escapeShellArg without lib: single quotes, each ' as '\''.
  sh = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] s + "'";
  # An SQL string literal: ' doubled.
  sql = s: "'" + builtins.replaceStrings [ "'" ] [ "''" ] s + "'";
  concatMap = f: l: builtins.concatLists (map f l);
  lines = l: builtins.concatStringsSep "\n" l + "\n";

  # Retention flags for `restic forget`, in the order internal/inventory's Retention.Args uses; zero or
  # absent values are not passed.
  keepFlags = set: concatMap
    (k: let n = set."keep_${k}" or 0; in if n > 0 then [ "--keep-${k} ${toString n}" ] else [ ])
    [ "last" "hourly" "daily" "weekly" "monthly" "yearly" ];

  sqliteDir = set: set.sqlite_dir or "/var/lib/hub-backup/${set.name}/sqlite";
  # path.Join(sqlite_dir, db) in Go: db is absolute, so this is sqlite_dir followed by db.
  copyOf = set: db: sqliteDir set + db;

  copyScript = set: db:
    let
      copy = copyOf set db;
      tmp = copy + ".hub-tmp";
    in
    ''
      # ${db}
      if [ ! -f ${sh db} ]; then
        echo ${sh "hub-backup ${set.name}: ${db} does not exist; fix sqlite in host.toml or start its service"} >&2
        exit 1
      fi
      mkdir -p "$(dirname ${sh tmp})"
      rm -f ${sh tmp}
      printf '%s\n' '.bail on' '.timeout 30000' ${sh "VACUUM INTO ${sql tmp};"} | ${sqlite3} -batch ${sh db}
      result=$(${sqlite3} -batch ${sh tmp} 'PRAGMA integrity_check;')
      if [ "$result" != ok ]; then
        echo ${sh "hub-backup ${set.name}: the copy of ${db} fails PRAGMA integrity_check:"} "$result" >&2
        exit 1
      fi
      mv -f -- ${sh tmp} ${sh copy}
    '';

  prepare = set:
    if (set.sqlite or [ ]) == [ ] then null
    else lines ([
      "set -eu"
      # The copies hold the applications' data: readable by root only.
      "umask 077"
      "mkdir -p ${sh (sqliteDir set)}"
    ] ++ map (copyScript set) set.sqlite);

  # postStop runs after failures too: only a successful run (systemd's SERVICE_RESULT) may move
  # the timestamp. The file is written beside its final name and renamed, so a scrape never reads
  # half of it.
  metric = file: help: metricName: set:
    let tmp = "${textfileDir}/.${file}.tmp";
    in [
      "mkdir -p ${sh textfileDir}"
      "{"
      "  echo ${sh "# HELP ${metricName} ${help}"}"
      "  echo ${sh "# TYPE ${metricName} gauge"}"
      "  echo ${sh "${metricName}{set=\"${set.name}\"}"} \"$(date +%s)\""
      "} > ${sh tmp}"
      "chmod 0644 ${sh tmp}"
      "mv -f -- ${sh tmp} ${sh "${textfileDir}/${file}"}"
    ];

  # The second copy: this host's snapshots of the set copied into the copy repository (restic
  # copy skips the ones already there). A failed copy fails the script, so the journal shows it
  # and hub_backup_last_copy_timestamp_seconds stops moving.
  copyCommands = set:
    if (set.copy or "") == "" then [ ]
    else [
      # A missing copy repository is created with the source's chunker parameters, so the copies
      # deduplicate as the originals do; it is remote (the inventory refuses a local path), so
      # there is no missing disk to create it on by mistake.
      "${restic} --repo ${sh set.copy} --password-file ${sh (set.copy_password_file or set.password_file)} cat config >/dev/null 2>&1 || ${restic} --repo ${sh set.copy} --password-file ${sh (set.copy_password_file or set.password_file)} init --from-repo ${sh set.repository} --from-password-file ${sh set.password_file} --copy-chunker-params"
      "${restic} --repo ${sh set.copy} --password-file ${sh (set.copy_password_file or set.password_file)} copy --from-repo ${sh set.repository} --from-password-file ${sh set.password_file} --host ${sh name} --tag ${sh "set:${set.name}"}"
    ] ++ metric "hub_backup_${set.name}_copy.prom" "Unix time of the last successful restic copy of the set to its copy repository." "hub_backup_last_copy_timestamp_seconds" set;

  cleanup = set:
    lines ([
      "set -eu"
      "if [ \"\${SERVICE_RESULT:-}\" != success ]; then exit 0; fi"
    ] ++ metric "hub_backup_${set.name}.prom" "Unix time of the last successful restic backup of the set." "hub_backup_last_success_timestamp_seconds" set
    ++ copyCommands set);

  backup = set:
    let
      tag = "set:${set.name}";
      dbs = set.sqlite or [ ];
    in
    {
      name = "${name}-${set.name}";
      value = {
        paths = set.paths ++ (if dbs == [ ] then [ ] else [ (sqliteDir set) ]);
        exclude = (set.exclude or [ ])
          ++ concatMap (db: map (suffix: db + suffix) [ "" "-wal" "-shm" "-journal" ]) dbs;
        repository = set.repository;
        passwordFile = set.password_file;
        extraBackupArgs = [ "--tag" tag "--host" name ];
        pruneOpts = keepFlags set ++ [ "--group-by host,tags" "--tag ${tag}" "--host ${name}" ];
        backupPrepareCommand = prepare set;
        backupCleanupCommand = cleanup set;
        inherit timerConfig;
        initialize = true;
      };
    };
in
builtins.listToAttrs (map backup sets)
