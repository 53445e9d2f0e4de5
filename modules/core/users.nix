# The account the hub deploys through. Root gets the same keys because the fleet default is
# `user = "root"` in hosts/fleet.toml; a host can switch to the admin user with sudo instead.
{ config, lib, ... }:
let
  cfg = config.features.users;
in
{
  options.features.users = {
    adminUser = lib.mkOption {
      type = lib.types.str;
      default = "admin";
      description = "Name of the wheel user that administers the host.";
    };
    authorizedKeys = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      description = "SSH public keys allowed to log in as the admin user and as root.";
    };
    passwordlessSudo = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Let wheel users run sudo without a password, which remote activation as a non-root user needs.";
    };
  };

  config = lib.mkIf cfg.enable {
    users.users.${cfg.adminUser} = {
      isNormalUser = true;
      extraGroups = [ "wheel" ];
      openssh.authorizedKeys.keys = cfg.authorizedKeys;
    };
    users.users.root.openssh.authorizedKeys.keys = cfg.authorizedKeys;
    security.sudo.wheelNeedsPassword = !cfg.passwordlessSudo;

    warnings = lib.optional (cfg.authorizedKeys == [ ])
      "host ${config.networking.hostName}: features.users.authorizedKeys is empty, so the hub cannot log in to deploy";
  };
}
