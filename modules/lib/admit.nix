# The option every service module declares for its firewall opening: the interfaces that may
# reach it. The default is the fleet's admin network, Tailscale: one fact for every service, so
# a host that admits its LAN too says so once per service it wants reachable there.
{ lib }:
who: lib.mkOption {
  type = lib.types.listOf lib.types.str;
  default = [ "tailscale0" ];
  description = "Interfaces on which the firewall admits ${who}.";
}
