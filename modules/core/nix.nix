# Nix daemon settings every host shares; flakes are how the hub builds and deploys.
{ config, lib, ... }:
let
  cfg = config.hub.features.nix-settings;
in
{
  options.hub.features.nix-settings = {
    gcOlderThan = lib.mkOption {
      type = lib.types.str;
      default = "14d";
      description = "Age after which the weekly garbage collection deletes old generations (nix-collect-garbage --delete-older-than).";
    };
    extraSubstituters = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [ "http://p620:5000" ];
      description = "Binary caches tried after cache.nixos.org, such as the fleet's own cache.";
    };
    extraTrustedPublicKeys = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      description = "Public keys the extra substituters sign with.";
    };
    trustFleetCache = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = ''
        Trust the fleet's binary cache (hub.features.binary-cache): add the public key
        `go tool mage secrets:rotate` records for binary-cache-key.age in secrets/rotation.toml
        (read through nix/rotation-public-keys.nix), so a rotated key reaches this host with its
        next deploy.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    nix.settings = {
      experimental-features = [ "nix-command" "flakes" ];
      auto-optimise-store = lib.mkDefault true;
      extra-substituters = cfg.extraSubstituters;
      extra-trusted-public-keys = cfg.extraTrustedPublicKeys
        ++ lib.optional cfg.trustFleetCache (import ../../nix/rotation-public-keys.nix { }).binary-cache-key;
    };
    nix.gc = {
      automatic = lib.mkDefault true;
      dates = lib.mkDefault "weekly";
      options = "--delete-older-than ${cfg.gcOlderThan}";
    };
  };
}
