# Rootless-capable containers; the docker command and socket are emulated so tools that expect
# Docker keep working, which is why the registry makes it conflict with the docker feature.
{ config, lib, ... }:
let
  cfg = config.hub.features.podman;
in
{
  options.hub.features.podman = {
    dockerCompat = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Provide the docker command and /run/docker.sock backed by Podman.";
    };
  };

  config = lib.mkIf cfg.enable {
    virtualisation.podman = {
      enable = true;
      dockerCompat = cfg.dockerCompat;
      dockerSocket.enable = cfg.dockerCompat;
      defaultNetwork.settings.dns_enabled = true;
      autoPrune.enable = lib.mkDefault true;
    };
  };
}
