# The desktop for workstations and laptops. PulseAudio is switched off explicitly because GNOME
# would otherwise pull it in next to PipeWire.
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
    services.displayManager.gdm.enable = true;
    services.desktopManager.gnome.enable = true;
    services.pulseaudio.enable = false;
    security.rtkit.enable = true;
    services.pipewire = {
      enable = true;
      alsa.enable = true;
      pulse.enable = true;
    };
    fonts.packages = [ pkgs.noto-fonts pkgs.noto-fonts-color-emoji pkgs.jetbrains-mono ] ++ cfg.extraFonts;
  };
}
