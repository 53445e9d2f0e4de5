# The desktop for workstations and laptops: GNOME on GDM. Audio comes from feature audio (PipeWire),
# which this one requires.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.desktop;
in
{
  options.hub.features.desktop = {
    extraFonts = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ ];
      description = "Fonts installed in addition to the base set.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.displayManager.gdm.enable = lib.mkDefault true;
    services.desktopManager.gnome.enable = lib.mkDefault true;
    fonts.packages = [ pkgs.noto-fonts pkgs.noto-fonts-color-emoji pkgs.jetbrains-mono ] ++ cfg.extraFonts;
  };
}
