# k3d runs disposable k3s clusters inside Docker (hence requires = docker in the registry).
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.k3d;
in
{
  options.hub.features.k3d = {
    extraPackages = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ pkgs.kubectl pkgs.kubernetes-helm ];
      defaultText = lib.literalExpression "[ pkgs.kubectl pkgs.kubernetes-helm ]";
      description = "Cluster clients installed alongside k3d.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ pkgs.k3d ] ++ cfg.extraPackages;
  };
}
