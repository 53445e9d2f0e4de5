# systemd-resolved owns /etc/resolv.conf on every host that does not pick another owner
# (features static-dns, networkmanager-dns, which it yields to): Tailscale's MagicDNS registers
# its per-link servers with it, NetworkManager hands it DHCP servers. Which combinations may
# not coexist is feature dns's business (dns.nix), so that the decision lives in one module.
{ config, lib, ... }:
let
  cfg = config.hub.features.resolved;
in
{
  options.hub.features.resolved = {
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
    # PR 416720), which keeps these two as renamed aliases. The nixpkgs module itself points
    # /etc/resolv.conf at /run/systemd/resolve/stub-resolv.conf and NetworkManager at resolved.
    services.resolved = {
      enable = true;
      fallbackDns = cfg.fallbackDns;
      dnssec = cfg.dnssec;
    };
  };
}
