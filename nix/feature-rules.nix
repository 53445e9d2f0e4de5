# The registry's requires/conflicts/classes rules over a list of enabled features, with builtins
# only. nix/features.nix applies them to what a host.toml resolves to; nix/features-module.nix to
# what the final configuration enables (a default.nix that forces a flag can break a rule). The
# messages are internal/features' (Resolve), word for word.
#
# Arguments: registry (parsed modules/features.toml), name (host name), class (host class).
{ registry, name, class }:
let
  features = registry.features or { };
  known = n: builtins.hasAttr n features;
  quote = s: "\"" + s + "\"";
  hostName = quote name;
  conflicting = a: b:
    builtins.elem b (features.${a}.conflicts or [ ]) || builtins.elem a (features.${b}.conflicts or [ ]);
in
{
  inherit conflicting;

  # A required feature that is off. Resolution always adds what is required, so only a forced
  # flag produces one.
  requireErrors = enabled: builtins.concatLists (map
    (a: map (b: "host ${hostName}: feature ${quote a} requires feature ${quote b}, which is disabled")
      (builtins.filter (b: known b && !(builtins.elem b enabled)) (features.${a}.requires or [ ])))
    enabled);

  conflictErrors = enabled: builtins.concatLists (map
    (a: map (b: "host ${hostName}: feature ${quote a} conflicts with feature ${quote b}")
      (builtins.filter (b: a < b && conflicting a b) enabled))
    enabled);

  classErrors = enabled: map
    (n: "host ${hostName}: feature ${quote n} does not suit class ${quote class} (suits: "
      + builtins.concatStringsSep ", " features.${n}.classes + ")")
    (builtins.filter
      (n: (features.${n}.classes or [ ]) != [ ] && !(builtins.elem class features.${n}.classes))
      enabled);
}
