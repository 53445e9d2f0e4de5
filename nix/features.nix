# Feature resolution for one host, written with builtins only so that it evaluates without
# nixpkgs: the hub's Go tests run it with `nix-instantiate --eval --strict --json` and compare the
# result with internal/features, field by field. Keep the two in step: same seeds, same reasons in the
# same order, same error messages.
#
# Arguments:
#   registry  the parsed modules/features.toml
#   host      the parsed hosts/<name>/host.toml
#   name      the host name (the directory name)
#
# Result: { enabled = [ sorted names ]; reasons = { <name> = [ strings ]; }; errors = [ strings ]; }
{ registry, host, name }:
let
  features = registry.features or { };
  known = n: builtins.hasAttr n features;
  sort = builtins.sort builtins.lessThan;
  unique = l: builtins.attrNames (builtins.listToAttrs (map (n: { name = n; value = true; }) l));
  quote = s: "\"" + s + "\"";
  hostName = quote name;

  class = host.class or "";
  rules = import ./feature-rules.nix { inherit registry name class; };
  hardware = host.hardware or "";
  listed = host.features or [ ];

  hardwareOk = known hardware && (features.${hardware}.category or "") == "hardware";
  chosen = (if hardwareOk then [ hardware ] else [ ]) ++ builtins.filter known listed;

  # genericClosure follows requires transitively; unknown requirements are the registry check's
  # business, so they are dropped here instead of failing the host.
  closureOf = names: builtins.genericClosure {
    startSet = map (n: { key = n; }) (unique names);
    operator = item: map (n: { key = n; }) (builtins.filter known (features.${item.key}.requires or [ ]));
  };
  chosenClosure = map (i: i.key) (closureOf chosen);

  # A default that conflicts with the host's choices (or what they require) yields (internal/features
  # Resolve says why); if something still requires it, the closure brings it back as a conflict.
  defaults = builtins.filter
    (n: (features.${n}.default or false) && !(builtins.any (c: conflicting n c) chosenClosure))
    (builtins.attrNames features);
  seeds = defaults ++ chosen;
  closure = closureOf seeds;
  enabled = sort (map (i: i.key) closure);

  reasonsFor = n:
    (if builtins.elem n defaults then [ "default for every host" ] else [ ])
    ++ (if hardwareOk && n == hardware then [ "hardware profile of the host" ] else [ ])
    ++ (if builtins.elem n listed then [ "listed in host.toml" ] else [ ])
    ++ map (r: "required by " + r)
      (builtins.filter (r: builtins.elem n (features.${r}.requires or [ ])) enabled);

  inherit (rules) conflicting;

  unknownErrors = map (n: "host ${hostName}: unknown feature ${quote n} in host.toml")
    (builtins.filter (n: !(known n)) listed);
  hardwareErrors =
    if hardwareOk then [ ]
    else [ "host ${hostName}: hardware ${quote hardware} is not a hardware feature in modules/features.toml" ];
in
{
  inherit enabled;
  reasons = builtins.listToAttrs (map (n: { name = n; value = reasonsFor n; }) enabled);
  errors = unknownErrors ++ hardwareErrors ++ rules.conflictErrors enabled ++ rules.classErrors enabled;
}
