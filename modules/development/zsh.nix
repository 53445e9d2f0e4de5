# Zsh for the admin user; enabled system-wide so completions for system packages are installed.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.zsh;
in
{
  options.hub.features.zsh = {
    adminShell = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Make Zsh the login shell of the admin user (hub.features.users.adminUser).";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.zsh = {
      enable = true;
      enableCompletion = true;
      autosuggestions.enable = true;
      syntaxHighlighting.enable = true;
    };
    users.users = lib.mkIf (cfg.adminShell && config.hub.features.users.enable) {
      ${config.hub.features.users.adminUser}.shell = pkgs.zsh;
    };
  };
}
