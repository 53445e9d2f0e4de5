# Docker engine. Conflicts with podman (registry) because podman's docker emulation claims the
# same socket and command name.
{ config, lib, ... }:
let
  cfg = config.hub.features.docker;
in
{
  options.hub.features.docker = {
    adminInGroup = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Add the admin user to the docker group (root-equivalent access to the daemon).";
    };
  };

  config = lib.mkIf cfg.enable {
    virtualisation.docker = {
      enable = true;
      autoPrune = {
        enable = lib.mkDefault true;
        dates = lib.mkDefault "weekly";
      };
    };
    users.users = lib.mkIf (cfg.adminInGroup && config.hub.features.users.enable) {
      ${config.hub.features.users.adminUser}.extraGroups = [ "docker" ];
    };
  };
}
