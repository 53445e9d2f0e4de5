# Mosh on servers: SSH sessions from the laptops survive suspend, roaming and Wi-Fi changes. The
# UDP range opens on the Tailscale interface only (mosh-server picks a port from it).
{ config, lib, ... }:
let
  cfg = config.hub.features.mosh;
in
{
  options.hub.features.mosh = {
    interfaces = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "tailscale0" ];
      description = "Interfaces on which mosh's UDP ports 60000-61000 open.";
    };
  };

  config = lib.mkIf cfg.enable {
    programs.mosh = {
      enable = true;
      openFirewall = false;
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: {
      allowedUDPPortRanges = [{ from = 60000; to = 61000; }];
    });
  };
}
