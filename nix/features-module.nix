# The NixOS side of the feature registry. Every module listed in modules/features.toml is
# imported on every host (no per-host import lists): each one is inert until its
# features.<name>.enable is true. The host's host.toml decides which are, through nix/features.nix,
# and the assertions below re-check requires/conflicts/classes against the final configuration, so
# a default.nix that forces a flag off (or on) cannot break a dependency silently.
{ registry, modulesDir }:
{ config, lib, ... }:
let
  features = registry.features;
  names = builtins.attrNames features;
  known = n: builtins.hasAttr n features;
  q = s: "\"${s}\"";
  host = config.hub.host;
  class = host.toml.class or "";
  on = n: config.features.${n}.enable;

  requireFailures = lib.concatMap
    (a: map (b: "host ${q host.name}: feature ${q a} requires feature ${q b}, which is disabled")
      (builtins.filter (b: known b && on a && !(on b)) (features.${a}.requires or [ ])))
    names;
  conflictFailures = lib.concatMap
    (a: map (b: "host ${q host.name}: feature ${q a} conflicts with feature ${q b}")
      (builtins.filter
        (b: known b && a < b && on a && on b
          && (builtins.elem b (features.${a}.conflicts or [ ]) || builtins.elem a (features.${b}.conflicts or [ ])))
        names))
    names;
  classFailures = map
    (n: "host ${q host.name}: feature ${q n} does not suit class ${q class} (suits: "
      + lib.concatStringsSep ", " features.${n}.classes + ")")
    (builtins.filter (n: on n && (features.${n}.classes or [ ]) != [ ] && !(builtins.elem class features.${n}.classes)) names);
in
{
  imports = map (n: modulesDir + "/${features.${n}.module}") names;

  options.features = lib.genAttrs names (n: {
    enable = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = features.${n}.description;
    };
  });

  options.hub = {
    host = {
      name = lib.mkOption {
        type = lib.types.str;
        description = "Name of the host: its directory under hosts/ and its hostname.";
      };
      toml = lib.mkOption {
        type = lib.types.attrs;
        description = "The host's host.toml, parsed; the same file the hub's Go tooling reads.";
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
    features = lib.genAttrs names (n: { enable = lib.mkDefault (builtins.elem n config.hub.resolution.enabled); });

    networking.hostName = host.name;
    # nixos-version --json and hub-nixos-exporter report it (docs/exporters.md).
    system.configurationRevision = lib.mkIf (config.hub.flake.revision != null) (lib.mkDefault config.hub.flake.revision);
    nixpkgs.hostPlatform = host.toml.system;
    nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) config.hub.allowUnfree;

    assertions = map (message: { assertion = false; inherit message; })
      (lib.unique (config.hub.resolution.errors ++ requireFailures ++ conflictFailures ++ classFailures));
  };
}
