# Fonts for desktops: Noto (with CJK and colour emoji) for text, Source and JetBrains Mono for code,
# and fontconfig defaults naming them, so applications agree on a monospace font and emoji do
# not render as boxes. Subpixel rendering follows the common RGB panel; slight hinting.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.fonts;
  nerd = config.hub.features.nerd-fonts;
in
{
  options.hub.features.fonts = {
    monospace = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "JetBrains Mono" "Noto Sans Mono" ];
      description = "fontconfig's monospace preference, first match wins, after hub.features.nerd-fonts.monospace when nerd-fonts is on.";
    };
  };

  config = lib.mkIf cfg.enable {
    fonts.enableDefaultPackages = lib.mkDefault true;
    fonts.packages = [
      pkgs.noto-fonts
      pkgs.noto-fonts-cjk-sans
      pkgs.noto-fonts-color-emoji
      pkgs.jetbrains-mono
      pkgs.source-code-pro
      pkgs.liberation_ttf
    ];
    fonts.fontconfig = {
      defaultFonts = {
        monospace = lib.mkDefault (lib.optional nerd.enable nerd.monospace ++ cfg.monospace);
        sansSerif = lib.mkDefault [ "Noto Sans" "Noto Sans CJK SC" ];
        serif = lib.mkDefault [ "Noto Serif" ];
        emoji = lib.mkDefault [ "Noto Color Emoji" ];
      };
      hinting.style = lib.mkDefault "slight";
      subpixel.rgba = lib.mkDefault "rgb";
    };
  };
}
