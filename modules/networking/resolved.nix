# systemd-resolved is the only DNS manager on every host: Tailscale's MagicDNS registers its
# per-link servers with it, NetworkManager hands it DHCP servers, and nothing else may write
# /etc/resolv.conf. The old fleet broke DNS by running two managers at once; the assertions below
# make that an evaluation error instead of a 3 a.m. outage.
{ config, lib, ... }:
let
  cfg = config.features.resolved;
  nm = config.networking.networkmanager;
in
{
  options.features.resolved = {
    fallbackDns = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "9.9.9.9#dns.quad9.net" "1.1.1.1#cloudflare-dns.com" "2620:fe::fe#dns.quad9.net" ];
      description = "Resolvers used when no link provides one (for example before Tailscale is up).";
    };
    dnssec = lib.mkOption {
      type = lib.types.enum [ "true" "allow-downgrade" "false" ];
      default = "allow-downgrade";
      description = "DNSSEC validation mode of systemd-resolved.";
    };
  };

  config = lib.mkIf cfg.enable {
    # nixos-25.11 options (nixos/modules/system/boot/resolved.nix): fallbackDns is a list,
    # dnssec the same enum as here. services.resolved.settings only arrived in 26.05 (nixpkgs
    # PR 416720), which keeps these two as renamed aliases.
    services.resolved = {
      enable = true;
      fallbackDns = cfg.fallbackDns;
      dnssec = cfg.dnssec;
    };
    networking.networkmanager.dns = lib.mkIf nm.enable "systemd-resolved";

    assertions = [
      {
        assertion = !(nm.enable && nm.dns != "systemd-resolved");
        message = "host ${config.networking.hostName}: NetworkManager DNS mode \"${nm.dns}\" and systemd-resolved would both manage /etc/resolv.conf";
      }
      {
        assertion = !(config.services.dnsmasq.enable && config.services.dnsmasq.resolveLocalQueries);
        message = "host ${config.networking.hostName}: dnsmasq (resolveLocalQueries) and systemd-resolved would both manage /etc/resolv.conf";
      }
      {
        assertion = !(config.services.unbound.enable && config.services.unbound.resolveLocalQueries);
        message = "host ${config.networking.hostName}: unbound (resolveLocalQueries) and systemd-resolved would both manage /etc/resolv.conf";
      }
    ];
  };
}
