# Options every hub exporter module shares: where it listens and which interfaces the firewall
# opens for scrapes. A function of lib and the exporter's default port; modules merge their own
# options into it with `//`.
{ lib, port }:
{
  listenAddress = lib.mkOption {
    type = lib.types.str;
    default = "0.0.0.0";
    description = "Address the exporter binds (the firewall still limits it to the listed interfaces).";
  };
  port = lib.mkOption {
    type = lib.types.port;
    default = port;
    description = "Port the exporter listens on.";
  };
  interfaces = import ./admit.nix { inherit lib; } "scrapes";
}
