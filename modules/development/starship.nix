# Starship prompt; the NixOS module hooks it into the Zsh the zsh feature enables.
{ config, lib, ... }:
let
  cfg = config.hub.features.starship;
in
{
  options.hub.features.starship = {
    settings = lib.mkOption {
      type = lib.types.attrs;
      default = { add_newline = false; };
      description = "Starship configuration (starship.toml as an attribute set).";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.starship = {
      enable = true;
      settings = cfg.settings;
    };
  };
}
