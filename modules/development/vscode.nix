# VS Code is unfree; allowing it here keeps the unfree decision attached to the feature.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.vscode;
in
{
  options.hub.features.vscode = {
    package = lib.mkPackageOption pkgs "vscode" { };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ cfg.package ];
    hub.allowUnfree = [ "vscode" ];
  };
}
