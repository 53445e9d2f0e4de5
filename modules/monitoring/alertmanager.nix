# Alertmanager next to Prometheus. Routing, inhibitions and receivers are not written here: the hub
# generates them from fleet.toml's [alerts] (`go tool mage monitor:config`, docs/monitoring.md)
# into alertmanager.yml, and lists the agenix secrets that file reads (SMTP password, ntfy and
# webhook tokens) in alertmanager-secrets.json. Each secret is decrypted here and handed to the
# unit with LoadCredential: Alertmanager runs as a DynamicUser, which cannot read agenix's
# root-only files, and the generated file reads /run/credentials/alertmanager.service/<name>.
{ config, lib, ... }:
let
  cfg = config.hub.features.alertmanager;
  generatedDir = config.hub.features.prometheus.generatedDir;
  generated = generatedDir + "/alertmanager.yml";
  generatedSecrets = generatedDir + "/alertmanager-secrets.json";
  secretNames = if cfg.configFile == null then [ ] else cfg.secrets;
in
{
  options.hub.features.alertmanager = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 9093;
      description = "Port Alertmanager listens on.";
    };
    configFile = lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = if builtins.pathExists generated then generated else null;
      defaultText = lib.literalExpression "<hub.features.prometheus.generatedDir>/alertmanager.yml, if it exists";
      description = "Alertmanager configuration file; null for a single receiver that sends nothing.";
    };
    secrets = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = if builtins.pathExists generatedSecrets then builtins.fromJSON (builtins.readFile generatedSecrets) else [ ];
      defaultText = lib.literalExpression "the names in <hub.features.prometheus.generatedDir>/alertmanager-secrets.json";
      description = ''
        Agenix secrets (secrets/<name>.age) the configuration file reads as
        /run/credentials/alertmanager.service/<name>: each is declared in age.secrets and passed
        to the unit with LoadCredential. Ignored when configFile is null.
      '';
    };
    secretsDir = lib.mkOption {
      type = lib.types.path;
      default = ../../secrets;
      defaultText = lib.literalExpression "../../secrets (the repository's secrets/ directory)";
      description = "Directory holding <name>.age for every name in secrets.";
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "the Alertmanager UI and API";
  };

  config = lib.mkIf cfg.enable {
    assertions = map
      (name: {
        assertion = builtins.pathExists (cfg.secretsDir + "/${name}.age");
        message = "host ${config.networking.hostName}: Alertmanager reads secret ${name} (fleet.toml [alerts]) but ${toString cfg.secretsDir}/${name}.age does not exist: create it with `go tool mage secrets:new ${name}.age` after listing it in secrets.nix";
      })
      secretNames;

    age.secrets = lib.genAttrs secretNames (name: { file = cfg.secretsDir + "/${name}.age"; });

    services.prometheus.alertmanager = {
      enable = true;
      port = cfg.port;
      configuration = lib.mkIf (cfg.configFile == null) {
        route.receiver = "hold";
        receivers = [{ name = "hold"; }];
      };
      configText = lib.mkIf (cfg.configFile != null) (builtins.readFile cfg.configFile);
    };
    systemd.services.alertmanager = lib.mkIf (secretNames != [ ]) {
      # systemd copies each file into the unit's credentials directory, readable by its dynamic
      # user only, when the unit starts.
      serviceConfig.LoadCredential = map (name: "${name}:${config.age.secrets.${name}.path}") secretNames;
      # A rotated secret is a new .age file: restart so the credentials are copied again.
      restartTriggers = map (name: cfg.secretsDir + "/${name}.age") secretNames;
    };
    services.prometheus.alertmanagers = [
      { static_configs = [{ targets = [ "127.0.0.1:${toString cfg.port}" ]; }]; }
    ];
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
