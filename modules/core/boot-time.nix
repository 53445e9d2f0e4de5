# Boot time. NetworkManager-wait-online.service holds multi-user.target until a connection is
# up, which on a laptop away from its network is the slowest unit of the boot (systemd-analyze
# blame) for nothing: services that need the network order after network-online.target
# themselves. Servers keep it, since their services expect the network when they start.
{ config, lib, ... }:
let
  cfg = config.hub.features.boot-time;
  class = config.hub.host.toml.class or "server";
in
{
  options.hub.features.boot-time = {
    skipWaitOnline = lib.mkOption {
      type = lib.types.bool;
      default = class != "server";
      defaultText = lib.literalExpression "true except on servers";
      description = "Do not wait for NetworkManager to bring a connection up during boot.";
    };
  };

  config = lib.mkIf cfg.enable {
    systemd.services.NetworkManager-wait-online.enable =
      lib.mkIf (config.networking.networkmanager.enable && cfg.skipWaitOnline) (lib.mkDefault false);
  };
}
