# Toolchains for the languages the fleet's projects use; project-specific versions come from each
# project's own flake through direnv.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.development;
in
{
  options.hub.features.development = {
    extraPackages = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ ];
      description = "Further development tools for this host.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [
      pkgs.git
      pkgs.gnumake
      pkgs.gcc
      pkgs.go
      pkgs.gopls
      pkgs.python3
      pkgs.nodejs
      pkgs.rustup
      pkgs.jq
      pkgs.ripgrep
      pkgs.fd
    ] ++ cfg.extraPackages;
    programs.direnv = {
      enable = true;
      nix-direnv.enable = true;
    };
  };
}
