# hub-nixos-exporter: generations, booted vs current system, reboot required. It reads the
# profiles under --nixos.root and nothing else, so it runs with the exporters' strict sandbox: a
# dynamic user can traverse /nix/var/nix/profiles and follow /run/{current,booted}-system (all
# world-readable, and ProtectSystem=strict leaves them readable), it lists closures with
# nix-store through the daemon's socket (AF_UNIX), and it reads the store database
# /nix/var/nix/db/db.sqlite (world-readable) read-only, never creating its -wal/-shm files.
#
# It also gives every toplevel the provenance stock NixOS does not record (docs/exporters.md):
# <toplevel>/configuration-revision, etc/hub/nixos-version.json and etc/hub/flake.lock.
{ config, lib, pkgs, ... }:
let
  cfg = config.hub.features.nixos-exporter;
  # The unit's settings, shared with the local fleet's systemd hosts, which run them.
  services = import ../lib/exporter-services.nix { inherit lib; };
  revision = config.system.configurationRevision;
  versionJSON = builtins.toJSON ({ nixosVersion = config.system.nixos.version; }
    // lib.optionalAttrs (config.system.nixos.revision != null) { nixpkgsRevision = config.system.nixos.revision; }
    // lib.optionalAttrs (revision != null) { configurationRevision = revision; });
in
{
  options.hub.features.nixos-exporter = import ../lib/exporter-options.nix { inherit lib; port = services.ports.nixos; } // {
    package = lib.mkPackageOption pkgs "hub-nixos-exporter" { };
    root = lib.mkOption {
      type = lib.types.str;
      default = "/";
      description = "Root under which the exporter finds /nix/var/nix/profiles and /run/{current,booted}-system.";
    };
  };

  config = lib.mkIf cfg.enable {
    systemd.services.hub-nixos-exporter = services.nixos {
      exe = lib.getExe cfg.package;
      inherit (cfg) listenAddress port root;
      nixStore = lib.getExe' config.nix.package "nix-store";
    };

    # Read by the exporter from the toplevel of each system it reports (current, booted, profile).
    environment.etc."hub/nixos-version.json".text = versionJSON;
    environment.etc."hub/flake.lock" = lib.mkIf (config.hub.flake.lockFile != null) {
      source = config.hub.flake.lockFile;
    };
    system.systemBuilderCommands = lib.mkIf (revision != null) ''
      printf '%s' ${lib.escapeShellArg revision} > $out/configuration-revision
    '';
    networking.firewall.interfaces = lib.genAttrs cfg.interfaces (_: { allowedTCPPorts = [ cfg.port ]; });
  };
}
