# The account the hub deploys through. Root gets the same keys because the fleet default is
# `user = "root"` in hosts/fleet.toml; a host can switch to the admin user with sudo instead.
#
# The keys come from the inventory, the one place they are written: [defaults.users]
# authorized_keys in hosts/fleet.toml (the fleet's admins, on every host) followed by [users]
# authorized_keys in the host's host.toml, exactly as internal/inventory merges them (and validates
# them as SSH public keys).
{ config, lib, ... }:
let
  cfg = config.hub.features.users;
  inventoryKeys = (config.hub.host.fleet.defaults.users.authorized_keys or [ ])
    ++ (config.hub.host.toml.users.authorized_keys or [ ]);
in
{
  options.hub.features.users = {
    adminUser = lib.mkOption {
      type = lib.types.str;
      default = "admin";
      description = "Name of the wheel user that administers the host.";
    };
    authorizedKeys = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = inventoryKeys;
      defaultText = lib.literalExpression "hosts/fleet.toml [defaults.users] authorized_keys ++ host.toml [users] authorized_keys";
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

    # Key-only sshd (feature ssh) and no key: the installed host could never be deployed to.
    assertions = [{
      assertion = cfg.authorizedKeys != [ ];
      message = "host ${config.networking.hostName}: hub.features.users.authorizedKeys is empty, so nobody (and not the hub) can log in to deploy it; add your key to authorized_keys in hosts/fleet.toml [defaults.users]";
    }];
  };
}
