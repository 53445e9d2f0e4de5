# agenix decrypts secrets/*.age at activation with the host's SSH key, so a host needs nothing but
# its own key to read the secrets encrypted to it.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.agenix;
in
{
  options.hub.features.agenix = {
    identityPaths = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "/etc/ssh/ssh_host_ed25519_key" ];
      description = "Private keys agenix tries when decrypting; the host's ed25519 host key by default.";
    };
  };

  config = lib.mkIf cfg.enable {
    age.identityPaths = cfg.identityPaths;
    environment.systemPackages = [ pkgs.agenix pkgs.age ];
  };
}
