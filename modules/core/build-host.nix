# A build host receives derivations from the hub (build.on = "host") and must trust the deploying
# user to import unsigned store paths.
{ config, lib, ... }:
let
  cfg = config.hub.features.build-host;
in
{
  options.hub.features.build-host = {
    trustedUsers = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "root" "@wheel" ];
      description = "Users the Nix daemon trusts to copy closures in and request builds.";
    };
  };

  config = lib.mkIf cfg.enable {
    nix.settings = {
      trusted-users = cfg.trustedUsers;
      max-jobs = lib.mkDefault "auto";
      cores = lib.mkDefault 0;
    };
  };
}
