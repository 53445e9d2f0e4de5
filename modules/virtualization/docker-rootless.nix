# Rootless Docker: a per-user daemon (no root-equivalent docker group), with DOCKER_HOST pointing
# at it in login shells. For laptops where containers are for development only. Conflicts with
# docker (one docker CLI, two daemons, confusing) and podman (its docker socket emulation).
{ config, lib, ... }:
let
  cfg = config.hub.features.docker-rootless;
in
{
  options.hub.features.docker-rootless = {
    daemonSettings = lib.mkOption {
      type = lib.types.attrs;
      default = { features.buildkit = true; };
      description = "daemon.json of the rootless daemon.";
    };
  };

  config = lib.mkIf cfg.enable {
    virtualisation.docker.rootless = {
      enable = true;
      setSocketVariable = lib.mkDefault true;
      daemon.settings = cfg.daemonSettings;
    };
  };
}
