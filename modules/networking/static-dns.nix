# A fixed /etc/resolv.conf for hosts whose resolvers never change (a server on a LAN with its
# own DNS): a file in the Nix store, so nothing at run time (DHCP, NetworkManager, tailscale)
# can rewrite it. Defining environment.etc."resolv.conf" also turns NixOS's resolvconf off
# (networking.resolvconf.enable defaults to !(config.environment.etc ? "resolv.conf")).
# It replaces the default feature resolved (which yields to it); feature dns checks the rest.
{ config, lib, ... }:
let
  cfg = config.hub.features.static-dns;
in
{
  options.hub.features.static-dns = {
    nameservers = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [ "192.168.1.1" "9.9.9.9" ];
      description = "The resolvers, in order (IP addresses; at most three are used by glibc).";
    };
    search = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [ "lan" ];
      description = "Search domains for single-label names.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.etc."resolv.conf".text = ''
      # /etc/resolv.conf: static, written by the hub (feature static-dns); edit hosts/<name>/default.nix.
    ''
    + lib.concatMapStringsSep "" (s: "nameserver ${s}\n") cfg.nameservers
    + lib.optionalString (cfg.search != [ ]) "search ${lib.concatStringsSep " " cfg.search}\n"
    + "options edns0\n";
    assertions = [
      {
        assertion = cfg.nameservers != [ ];
        message = "host ${config.networking.hostName}: feature static-dns has no resolver: set hub.features.static-dns.nameservers in hosts/${config.networking.hostName}/default.nix";
      }
    ];
  };
}
