# k3d runs disposable k3s clusters inside Docker (hence requires = docker in the registry). The
# feature writes one cluster definition, so `k3d cluster create --config /etc/k3d/<name>.yaml`
# gives every developer the same cluster, and loads the kernel modules k3s's nodes need: the
# nodes are containers and cannot load them themselves.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.k3d;
  # k3d's config file (k3d.io/v1alpha5, kind Simple); JSON is YAML, so builtins.toJSON writes it.
  cluster = {
    apiVersion = "k3d.io/v1alpha5";
    kind = "Simple";
    metadata.name = cfg.cluster.name;
    servers = 1;
    agents = cfg.cluster.agents;
    kubeAPI = { host = "127.0.0.1"; hostPort = toString cfg.cluster.apiPort; };
    ports = map (p: { port = "127.0.0.1:${toString p.host}:${toString p.node}"; nodeFilters = [ "loadbalancer" ]; }) cfg.cluster.ports;
    options.k3s.extraArgs = [{ arg = "--disable=traefik"; nodeFilters = [ "server:*" ]; }];
  };
in
{
  options.hub.features.k3d = {
    extraPackages = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ pkgs.kubectl pkgs.kubernetes-helm ];
      defaultText = lib.literalExpression "[ pkgs.kubectl pkgs.kubernetes-helm ]";
      description = "Cluster clients installed alongside k3d.";
    };
    cluster = {
      name = lib.mkOption {
        type = lib.types.str;
        default = "dev";
        description = "Name of the cluster /etc/k3d/<name>.yaml defines.";
      };
      agents = lib.mkOption {
        type = lib.types.ints.between 0 8;
        default = 1;
        description = "Agent nodes besides the one server node.";
      };
      apiPort = lib.mkOption {
        type = lib.types.port;
        default = 6550;
        description = "Loopback port of the cluster's Kubernetes API (kubectl's server).";
      };
      ports = lib.mkOption {
        type = lib.types.listOf (lib.types.submodule {
          options = {
            host = lib.mkOption { type = lib.types.port; description = "Loopback port on the host."; };
            node = lib.mkOption { type = lib.types.port; description = "Port of the cluster's load balancer it forwards to."; };
          };
        });
        default = [{ host = 8081; node = 80; }];
        description = "Ports of the cluster's load balancer published on the host's loopback (ingress on 8081 by default).";
      };
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ pkgs.k3d ] ++ cfg.extraPackages;
    environment.etc."k3d/${cfg.cluster.name}.yaml".text = builtins.toJSON cluster;
    # kube-proxy and flannel in the node containers use them; a container cannot load modules.
    boot.kernelModules = [ "br_netfilter" "overlay" ];
  };
}
