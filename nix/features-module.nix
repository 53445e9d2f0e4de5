# The NixOS side of the feature registry. Every module listed in modules/features.toml is
# imported on every host (no per-host import lists): each one is inert until its
# hub.features.<name>.enable is true. The host's host.toml decides which are, through nix/features.nix,
# and the assertions below re-check requires/conflicts/classes against the final configuration, so
# a default.nix that forces a flag off (or on) cannot break a dependency silently.
{ registry, modulesDir }:
{ config, lib, ... }:
let
  features = registry.features;
  names = builtins.attrNames features;
  host = config.hub.host;
  rules = import ./feature-rules.nix { inherit registry; name = host.name; class = host.toml.class or ""; };
  # What the final configuration enables: a default.nix may force a flag either way.
  enabled = builtins.filter (n: config.hub.features.${n}.enable) names;
in
{
  imports = map (n: modulesDir + "/${features.${n}.module}") names;

  options.hub = {
    # One submodule per registry entry; each feature module adds its own options beside enable.
    features = lib.genAttrs names (n: {
      enable = lib.mkOption {
        type = lib.types.bool;
        default = false;
        description = features.${n}.description;
      };
    });
    host = {
      name = lib.mkOption {
        type = lib.types.str;
        description = "Name of the host: its directory under hosts/ and its hostname.";
      };
      toml = lib.mkOption {
        type = lib.types.attrs;
        description = "The host's host.toml, parsed; the same file the hub's Go tooling reads.";
      };
      fleet = lib.mkOption {
        type = lib.types.attrs;
        default = { };
        description = ''
          hosts/fleet.toml, parsed: the fleet-wide [defaults] every host.toml starts from, as
          internal/inventory merges them. Modules read inventory facts here and in toml (a host's value
          first, then the fleet default) instead of restating them.
        '';
      };
    };
    flake = {
      revision = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "3f2c1e0d9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e";
        description = ''
          Git revision of the flake the system is built from (self.rev, or self.dirtyRev for a
          checkout with uncommitted changes); null when unknown. Becomes
          system.configurationRevision.
        '';
      };
      lockFile = lib.mkOption {
        type = lib.types.nullOr lib.types.path;
        default = null;
        description = "The flake's flake.lock, if it has one; installed as /etc/hub/flake.lock for hub-nixos-exporter.";
      };
    };
    resolution = lib.mkOption {
      type = lib.types.attrs;
      readOnly = true;
      default = import ./features.nix { inherit registry; host = host.toml; name = host.name; };
      defaultText = lib.literalExpression "import ./features.nix { ... }";
      description = "Features enabled for this host with the reasons each is on, and the errors found (nix/features.nix).";
    };
    allowUnfree = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      description = ''
        Names (lib.getName) of unfree packages this host may install. Feature modules add the
        packages they need, so allowing unfree software stays a per-feature decision.
      '';
    };
  };

  config = {
    # mkDefault: a host's default.nix may still override a flag; the assertions catch the fallout.
    hub.features = lib.genAttrs names (n: { enable = lib.mkDefault (builtins.elem n config.hub.resolution.enabled); });

    networking.hostName = host.name;
    # nixos-version --json and hub-nixos-exporter report it (docs/exporters.md).
    system.configurationRevision = lib.mkIf (config.hub.flake.revision != null) (lib.mkDefault config.hub.flake.revision);
    nixpkgs.hostPlatform = host.toml.system;
    nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) config.hub.allowUnfree;

    assertions = map (message: { assertion = false; inherit message; })
      (lib.unique (config.hub.resolution.errors
        ++ rules.requireErrors enabled ++ rules.conflictErrors enabled ++ rules.classErrors enabled));
  };
}
