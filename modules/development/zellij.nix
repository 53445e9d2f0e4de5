# Zellij, for those who prefer it to tmux; NixOS has no zellij module, so it is a package.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.zellij;
in
{
  options.hub.features.zellij = {
    package = lib.mkPackageOption pkgs "zellij" { };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ cfg.package ];
  };
}
