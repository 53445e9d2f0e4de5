{ config, lib, ... }:
{
  options.hub.features.docker = {
    pruneDates = lib.mkOption {
      type = lib.types.str;
      default = "weekly";
      description = "When the engine prunes | images.";
    };
    registries = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "docker.io" "ghcr.io" ];
      description = ''
        Registries
        searched.
      '';
    };
    daemon.settings = lib.mkOption {
      type = lib.types.attrs;
      default = { features.buildkit = true; "log-driver" = "journald"; };
      description = "daemon.json.";
    };
    package = lib.mkOption {
      type = lib.types.package;
      default = config.virtualisation.docker.package;
      description = "Engine (computed from the configuration, no defaultText).";
    };
    mirrors = lib.mkOption {
      type = lib.types.attrsOf (lib.types.submodule {
        options.url = lib.mkOption {
          type = lib.types.str;
          description = "Where the mirror is.";
        };
      });
      default = { };
      description = "Registry mirrors by registry name.";
    };
    adminUser = lib.mkOption {
      type = lib.types.str;
      default = config.hub.features.users.adminUser;
      defaultText = lib.literalExpression "config.hub.features.users.adminUser";
      description = "Who joins the docker group.";
    };
  };
}
