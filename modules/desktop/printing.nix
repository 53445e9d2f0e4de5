# Printing through CUPS. Driverless IPP Everywhere printers are found over mDNS (feature avahi,
# required); the gutenprint and HP drivers cover older printers. CUPS' web interface stays on
# localhost.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.printing;
in
{
  options.hub.features.printing = {
    drivers = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ pkgs.gutenprint pkgs.hplip ];
      defaultText = lib.literalExpression "[ pkgs.gutenprint pkgs.hplip ]";
      description = "CUPS driver packages for printers that do not speak IPP Everywhere.";
    };
  };

  config = lib.mkIf cfg.enable {
    # cups-browsed (queues for network printers appear and vanish by themselves) follows
    # services.avahi.enable in NixOS' cupsd.nix; this host's own printers stay unshared.
    services.printing = {
      enable = true;
      drivers = cfg.drivers;
    };
  };
}
