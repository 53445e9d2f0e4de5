# The options each feature module declares under hub.features.<name> (besides enable), for
# `features:list -options` and docs/feature-catalogue.md (internal/features, ReadOptions). Builtins
# only, like the offline option check: lib is nix/options-lib.nix (option types that carry
# nixpkgs' type descriptions), config and pkgs are throws, so a default computed from the
# configuration or a package shows through its defaultText, or as "(computed)" without one.
#
#   nix-instantiate --eval --strict --json nix/feature-options.nix --argstr registryFile modules/features.toml
{ registryFile }:
let
  lib = import ./options-lib.nix;
  registry = builtins.fromTOML (builtins.readFile registryFile);
  modulesDir = dirOf registryFile;
  config = throw "feature options: no configuration offline";
  pkgs = throw "feature options: no packages offline";
  isOption = v: builtins.isAttrs v && (v._type or null) == "option";

  text = v:
    if builtins.isAttrs v && v ? text then v.text
    else if builtins.isString v then v
    else null;
  # The default as JSON when it evaluates to plain data, else its defaultText, else null.
  defaultOf = o:
    if o ? defaultText then { text = text o.defaultText; }
    else if !(o ? default) then { none = true; }
    else
      let r = builtins.tryEval (builtins.toJSON o.default);
      in if r.success then { json = r.value; } else { computed = true; };

  walk = prefix: attrs: builtins.concatMap
    (n:
      let
        v = attrs.${n};
        path = prefix ++ [ n ];
      in
      if isOption v then [{
        name = builtins.concatStringsSep "." path;
        type = v.type.description or "unspecified";
        default = defaultOf v;
        description = text (v.description or "");
      }]
      else if builtins.isAttrs v then walk path v
      else [ ])
    (builtins.attrNames attrs);

  optionsOf = name: f:
    let
      m = import (modulesDir + "/${f.module}");
      evaluated = if builtins.isFunction m then m { inherit lib config pkgs; options = { }; } else m;
      decl = ((evaluated.options or { }).hub or { }).features.${name} or { };
    in
    builtins.filter (o: o.name != "enable") (walk [ ] decl);
in
builtins.mapAttrs optionsOf registry.features
