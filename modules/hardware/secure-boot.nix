# Secure Boot through lanzaboote, which replaces systemd-boot's installer with one that signs the
# unified kernel images. Keys are created once with `sbctl create-keys` before enabling this.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.secure-boot;
in
{
  options.hub.features.secure-boot = {
    pkiBundle = lib.mkOption {
      type = lib.types.str;
      default = "/var/lib/sbctl";
      description = "Directory holding the Secure Boot keys created by sbctl.";
    };
  };

  config = lib.mkIf cfg.enable {
    boot.loader.systemd-boot.enable = lib.mkForce false;
    boot.lanzaboote = {
      enable = true;
      pkiBundle = cfg.pkiBundle;
    };
    environment.systemPackages = [ pkgs.sbctl ];
  };
}
