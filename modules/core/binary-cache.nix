# Serves the build host's store so other hosts substitute instead of rebuilding; reachable over
# Tailscale only, since the cache signs anything that lands in the store.
{ config, lib, ... }:
let
  cfg = config.features.binary-cache;
in
{
  options.features.binary-cache = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 5000;
      description = "Port nix-serve listens on.";
    };
    secretKeyFile = lib.mkOption {
      type = lib.types.str;
      default = "/run/agenix/binary-cache-key";
      description = "Signing key (nix-store --generate-binary-cache-key), normally an agenix secret.";
    };
    interfaces = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ "tailscale0" ];
      description = "Interfaces on which the firewall admits clients of the cache.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.nix-serve = {
      enable = true;
      port = cfg.port;
      secretKeyFile = cfg.secretKeyFile;
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
