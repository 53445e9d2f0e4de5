# Prometheus on the monitoring server. Scrape targets and alerting rules are not written here: the
# hub generates them from the inventory into monitoring/ (so adding a host adds its targets), and
# this module only points Prometheus at those files.
{ config, lib, ... }:
let
  cfg = config.hub.features.prometheus;
  scrapeFile = cfg.scrapeConfigsFile;
  rulesDir = cfg.rulesDir;
  rulesFound =
    if builtins.pathExists rulesDir then
      map (f: rulesDir + "/${f}")
        # Only the generated rule groups: rules/ also holds the promtool unit tests
        # (<group>.test.yml), which are not rule files.
        (builtins.filter (f: lib.hasSuffix ".rules.yml" f || lib.hasSuffix ".rules.yaml" f)
          (builtins.attrNames (builtins.readDir rulesDir)))
    else [ ];
  # The secrets' rotation schedule (from secrets/rotation.toml, `go tool mage monitor:config`),
  # served by this host's node_exporter for the SecretRotationDue alert: one host serves it, so
  # the fleet has one series per secret.
  rotationTextfile = cfg.generatedDir + "/textfile/hub_secrets_rotation.prom";
in
{
  options.hub.features.prometheus = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 9090;
      description = "Port Prometheus listens on.";
    };
    retention = lib.mkOption {
      type = lib.types.str;
      default = "30d";
      description = "How long samples are kept.";
    };
    generatedDir = lib.mkOption {
      type = lib.types.path;
      default = ../../monitoring;
      defaultText = lib.literalExpression "../../monitoring (the repository's monitoring/ directory)";
      description = "Directory the hub generates monitoring configuration into.";
    };
    scrapeConfigsFile = lib.mkOption {
      type = lib.types.path;
      default = cfg.generatedDir + "/scrape-configs.json";
      defaultText = lib.literalExpression "generatedDir + \"/scrape-configs.json\"";
      description = "JSON list of Prometheus scrape_config objects generated from the inventory.";
    };
    rulesDir = lib.mkOption {
      type = lib.types.path;
      default = cfg.generatedDir + "/rules";
      defaultText = lib.literalExpression "generatedDir + \"/rules\"";
      description = "Directory whose *.rules.yml files (as `go tool mage monitor:config` writes them) are loaded as Prometheus rule files.";
    };
    outageTolerance = lib.mkOption {
      type = lib.types.str;
      default = "3d";
      description = ''
        --rules.alert.for-outage-tolerance: how long Prometheus may have been down and still
        restore an alert's pending `for` state. It must cover the longest `for` of the rules
        (RebootRequired waits 3d), or a restart during that wait starts the clock again.
      '';
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "Prometheus' UI and API";
  };

  config = lib.mkIf cfg.enable {
    services.prometheus = {
      enable = true;
      port = cfg.port;
      retentionTime = cfg.retention;
      scrapeConfigs =
        if builtins.pathExists scrapeFile then builtins.fromJSON (builtins.readFile scrapeFile)
        else [{ job_name = "prometheus"; static_configs = [{ targets = [ "127.0.0.1:${toString cfg.port}" ]; }]; }];
      ruleFiles = rulesFound;
      extraFlags = [ "--rules.alert.for-outage-tolerance=${cfg.outageTolerance}" ];
    };
    # A link into the store, replaced at every activation: node_exporter follows it, and a new
    # schedule arrives with the deploy that brings the new rotation.toml.
    systemd.tmpfiles.rules = lib.optional (builtins.pathExists rotationTextfile)
      "L+ ${config.hub.features.node-exporter.textfileDir}/hub_secrets_rotation.prom - - - - ${rotationTextfile}";
    warnings = lib.optional (rulesFound == [ ])
      "host ${config.networking.hostName}: no *.rules.yml under ${toString rulesDir}, so Prometheus has no alerting rules; generate them with `go tool mage monitor:config`"
    ++ lib.optional (!(builtins.pathExists scrapeFile))
      "host ${config.networking.hostName}: ${toString scrapeFile} does not exist, so Prometheus only scrapes itself; generate it with the hub";
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
