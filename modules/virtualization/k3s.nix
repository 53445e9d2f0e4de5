# k3s server for lab workloads (hp). The API port is opened on the Tailscale interface only.
{ config, lib, ... }:
let
  cfg = config.hub.features.k3s;
in
{
  options.hub.features.k3s = {
    tokenFile = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "/run/agenix/k3s-token";
      description = "Cluster join token; needed once agents join, null for a single-node cluster.";
    };
    extraFlags = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "--disable=traefik" ];
      description = "Extra flags for k3s server.";
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "the Kubernetes API (6443)";
  };

  config = lib.mkIf cfg.enable {
    services.k3s = {
      enable = true;
      role = lib.mkDefault "server";
      tokenFile = cfg.tokenFile;
      extraFlags = cfg.extraFlags;
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ 6443 ]; });
  };
}
