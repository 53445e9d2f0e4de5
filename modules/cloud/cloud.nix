# The cloud umbrella: AWS, Google Cloud, Azure and Kubernetes clients with Terraform/OpenTofu
# (the registry's requires). The aws and az CLIs complete through bash's completion protocol,
# so Zsh gets bashcompinit and aws_completer is registered.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.cloud;
in
{
  config = lib.mkIf cfg.enable {
    programs.zsh.enableBashCompletion = lib.mkDefault true;
    programs.zsh.interactiveShellInit = ''
      complete -C ${pkgs.awscli2}/bin/aws_completer aws
    '';
  };
}
