# Serves the build host's store so other hosts substitute instead of rebuilding; reachable over
# Tailscale only, since the cache signs anything that lands in the store. The signing key is the
# agenix secret binary-cache-key (a nix-signing-key in secrets/rotation.toml, whose public_key is
# what the cache's clients add to hub.features.nix-settings.extraTrustedPublicKeys); nix-serve reads
# it through LoadCredential, so it stays root-only.
{ config, lib, ... }:
let
  cfg = config.hub.features.binary-cache;
in
{
  options.hub.features.binary-cache = {
    port = lib.mkOption {
      type = lib.types.port;
      default = 5000;
      description = "Port nix-serve listens on.";
    };
    secretKeyFile = lib.mkOption {
      type = lib.types.str;
      default = config.age.secrets.binary-cache-key.path;
      defaultText = lib.literalExpression "config.age.secrets.binary-cache-key.path";
      description = "Signing key in the format of nix-store --generate-binary-cache-key.";
    };
    interfaces = import ../lib/admit.nix { inherit lib; } "clients of the cache";
  };

  config = lib.mkIf cfg.enable {
    age.secrets.binary-cache-key.file = ../../secrets/binary-cache-key.age;
    services.nix-serve = {
      enable = true;
      port = cfg.port;
      secretKeyFile = cfg.secretKeyFile;
    };
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
