# Nerd Fonts (patched with icons) for the terminal: the starship prompt and lazygit show their
# icons only when this feature is on, and the fonts feature (required) puts the font first in
# fontconfig's monospace list.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.nerd-fonts;
in
{
  options.hub.features.nerd-fonts = {
    fonts = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "jetbrains-mono" "fira-code" "symbols-only" ];
      description = "Names under pkgs.nerd-fonts to install.";
    };
    monospace = lib.mkOption {
      type = lib.types.str;
      default = "JetBrainsMono Nerd Font";
      description = "Family put first in fontconfig's monospace defaults.";
    };
  };

  config = lib.mkIf cfg.enable {
    fonts.packages = map (f: pkgs.nerd-fonts.${f}) cfg.fonts;
  };
}
