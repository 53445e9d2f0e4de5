# Hardware security keys (YubiKey, Nitrokey and other OpenPGP/PIV smartcards): pcscd for the
# smartcard applets, and gnupg's udev rules so the logged-in user reaches the key without root
# (gpg --card-status, age-plugin-yubikey, ssh with a resident key). Extra PC/SC reader drivers
# go in pcscPlugins.
{ config, lib, ... }:
let
  cfg = config.hub.features.yubikey;
in
{
  options.hub.features.yubikey = {
    pcscPlugins = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ ];
      description = "PC/SC reader drivers in addition to ccid (which NixOS always adds).";
    };
  };

  config = lib.mkIf cfg.enable {
    services.pcscd = {
      enable = true;
      plugins = cfg.pcscPlugins;
    };
    hardware.gpgSmartcards.enable = lib.mkDefault true;
  };
}
