# Neovim as the system editor, so EDITOR is the same on servers and laptops.
{ config, lib, ... }:
let
  cfg = config.hub.features.neovim;
in
{
  options.hub.features.neovim = {
    defaultEditor = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Set EDITOR to nvim for every user.";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.neovim = {
      enable = true;
      defaultEditor = cfg.defaultEditor;
      viAlias = true;
      vimAlias = true;
    };
  };
}
