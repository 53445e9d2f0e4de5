# One hub module's definitions, evaluated offline for checking what it generates with the real
# programs (internal/shellconf: tmux, zsh). The module is called with the offline lib
# (nix/options-lib.nix), no pkgs, and a config in which its feature is enabled with its options'
# defaults, merged with `extra` (other features' options it reads). The markers of mkIf (whose
# condition is true), mkMerge, mkDefault/mkOverride and mkBefore/mkAfter are unwrapped; values
# that need pkgs (or fail) are left out. Builtins only. `module` is relative to the repository.
{ module, feature, extra ? { } }:
let
  lib = import ./options-lib.nix;
  body = (import (../. + "/${module}")) {
    inherit lib config;
    pkgs = throw "module-render: pkgs is not available offline";
  };
  defaults = builtins.mapAttrs (_: o: o.default) body.options.hub.features.${feature};
  config = lib.recursiveUpdate { hub.features.${feature} = defaults // { enable = true; }; } extra;
  ok = v: (builtins.tryEval v).success;
  # Definitions, with their markers unwrapped; a false mkIf or a failing value becomes null.
  unwrap = v:
    if !(ok v) then null
    else if builtins.isAttrs v && v ? _type then
      if v._type == "if" then (if v.condition then unwrap v.content else null)
      else if v._type == "merge" then builtins.foldl' merge null (map unwrap v.contents)
      else if v._type == "override" || v._type == "order" then unwrap v.content
      else null
    else if builtins.isAttrs v then
      let kept = builtins.mapAttrs (_: unwrap) v;
      in builtins.listToAttrs (builtins.concatMap (n: if kept.${n} == null then [ ] else [{ name = n; value = kept.${n}; }]) (builtins.attrNames kept))
    else if builtins.isList v then builtins.filter (x: x != null) (map unwrap v)
    else if builtins.isFunction v then null
    else if (builtins.tryEval (builtins.deepSeq v v)).success then v
    else null;
  merge = a: b:
    if a == null then b
    else if b == null then a
    else if builtins.isAttrs a && builtins.isAttrs b then a // builtins.mapAttrs (n: v: if a ? ${n} then merge a.${n} v else v) b
    else if builtins.isList a && builtins.isList b then a ++ b
    else if builtins.isString a && builtins.isString b then a + "\n" + b
    else b;
in
unwrap (body.config or { })
