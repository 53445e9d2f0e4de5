# Fingerprint login and sudo through fprintd: NixOS' PAM module adds pam_fprintd to every PAM
# service (login, GDM, sudo) when fprintd is enabled. Readers that need a vendor's Touch OEM
# Driver (some Goodix and Synaptics parts) get it through todDriver. Enrol with `fprintd-enroll`.
{ config, lib, ... }:
let
  cfg = config.hub.features.fingerprint;
in
{
  options.hub.features.fingerprint = {
    todDriver = lib.mkOption {
      type = lib.types.nullOr lib.types.package;
      default = null;
      example = lib.literalExpression "pkgs.libfprint-2-tod1-goodix";
      description = "Touch OEM Driver package for readers libfprint does not support natively; null for none.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.fprintd = {
      enable = true;
      tod = lib.mkIf (cfg.todDriver != null) {
        enable = true;
        driver = cfg.todDriver;
      };
    };
  };
}
