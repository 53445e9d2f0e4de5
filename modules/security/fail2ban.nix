# fail2ban for servers: bans addresses that fail SSH authentication, with the ban time doubling
# for repeat offenders. Tailscale's CGNAT range and loopback are never banned, so a fat-fingered
# deploy from inside the fleet cannot lock the fleet out. Bans go into nftables.
{ config, lib, ... }:
let
  cfg = config.hub.features.fail2ban;
in
{
  options.hub.features.fail2ban = {
    maxretry = lib.mkOption {
      type = lib.types.ints.positive;
      default = 5;
      description = "Failures within the find time before an address is banned.";
    };
    ignoreIP = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "127.0.0.0/8" "::1" "100.64.0.0/10" "fd7a:115c:a1e0::/48" ];
      description = "Addresses and networks never banned (loopback and Tailscale's ranges).";
    };
  };

  config = lib.mkIf cfg.enable {
    services.fail2ban = {
      enable = true;
      maxretry = lib.mkDefault cfg.maxretry;
      bantime = lib.mkDefault "1h";
      ignoreIP = cfg.ignoreIP;
      bantime-increment = {
        enable = lib.mkDefault true;
        maxtime = lib.mkDefault "168h";
        overalljails = lib.mkDefault true;
      };
    };
  };
}
