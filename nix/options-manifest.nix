# The regeneration half of the option check: given a real nixosSystem's `options` (where nixpkgs
# can be fetched), the recorded type and declaring files of each path the hub sets or reads.
# internal/nixoptions (mage nix:optionsManifest) evaluates it with `nix eval --json --impure` and
# rewrites nix/options-25.11.json from the result.
#
# paths are attribute paths as the hub writes them (users.users.admin.extraGroups, or
# services.loki.configuration.common.path_prefix). Each is resolved to the option that holds it:
# groups are descended, an attribute set or list of submodules consumes one segment (recorded
# as <name> or *, as nixpkgs' documentation does), a submodule's declared sub-options are
# followed, and anything deeper is inside the option's value. Paths that reach no option are
# returned as unresolved: the offline check will report them.
{ options, paths }:
let
  inherit (builtins) head tail concatMap tryEval isAttrs listToAttrs;
  isOption = v: isAttrs v && (v._type or null) == "option";
  collectionSegment = t:
    if t.name or null == "attrsOf" || t.name or null == "lazyAttrsOf" then "<name>"
    else if t.name or null == "listOf" then "*"
    else null;
  subOptions = opt: loc:
    let r = tryEval (opt.type.getSubOptions loc);
    in if r.success && isAttrs r.value then r.value else { };

  # -> [ { loc; opt; } ] for the option holding segs, and every option on the way (a submodule
  # set or list of them is itself an option the hub sets).
  resolve = node: loc: segs:
    if isOption node then
      let
        ph = collectionSegment node.type;
        below =
          if segs == [ ] then [ ]
          else if ph != null then
            let sub = subOptions node loc;
            in if sub == { } || tail segs == [ ] then [ ] else resolveIn sub (loc ++ [ ph ]) (tail segs)
          else
            let sub = subOptions node loc;
            in if sub ? ${head segs} then resolve sub.${head segs} (loc ++ [ (head segs) ]) (tail segs) else [ ];
      in
      [{ inherit loc; opt = node; }] ++ below
    else if segs == [ ] then [ ]
    else resolveIn node loc segs;
  resolveIn = node: loc: segs:
    if isAttrs node && node ? ${head segs} then resolve node.${head segs} (loc ++ [ (head segs) ]) (tail segs)
    else [ ];

  aliasOf = opt:
    let m = builtins.match ".*Alias of [{]option[}]`([^`]+)`.*" (toString (opt.description or ""));
    in if m == null then null else head m;

  record = { loc, opt }:
    let
      desc = tryEval opt.type.description;
      decls = tryEval (map toString (opt.declarations or [ ]));
      alias = tryEval (aliasOf opt);
    in
    {
      name = builtins.toJSON loc;
      value = {
        inherit loc;
        type = if desc.success then desc.value else "unspecified value";
        declarations = if decls.success then decls.value else [ ];
        renamedTo = if alias.success then alias.value else null;
      };
    };
  found = map (p: { path = p; options = resolve options [ ] p; }) paths;
  records = map record (concatMap (f: f.options) found);
  # What renamed options point to is recorded too, so the check can name the new option.
  targets = concatMap
    (r: if r.value.renamedTo == null then [ ]
    else resolve options [ ] (builtins.filter builtins.isString (builtins.split "\\." r.value.renamedTo)))
    records;
in
{
  options = builtins.attrValues (listToAttrs (records ++ map record targets));
  unresolved = map (f: f.path) (builtins.filter (f: f.options == [ ]) found);
}
