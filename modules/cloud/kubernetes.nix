# Kubernetes clients: kubectl (aliased k, with Zsh completion for the alias), helm, k9s,
# kubectx/kubens, stern, kustomize. k3d and k3s clusters write their kubeconfig to the default
# ~/.kube/config, so KUBECONFIG is left alone unless set here.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.kubernetes-cli;
in
{
  options.hub.features.kubernetes-cli = {
    kubeconfig = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "$HOME/.kube/config:$HOME/.kube/k3d";
      description = "KUBECONFIG for every user, or null for kubectl's default.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [
      pkgs.kubectl
      pkgs.kubernetes-helm
      pkgs.k9s
      pkgs.kubectx
      pkgs.stern
      pkgs.kustomize
    ];
    environment.shellAliases.k = lib.mkDefault "kubectl";
    programs.zsh.interactiveShellInit = lib.mkIf config.programs.zsh.enable ''
      compdef k=kubectl 2>/dev/null
    '';
    environment.sessionVariables = lib.mkIf (cfg.kubeconfig != null) { KUBECONFIG = lib.mkDefault cfg.kubeconfig; };
  };
}
