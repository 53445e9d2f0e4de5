# The one reader of the option declarations of the hub's modules. It calls each module file with
# nix/options-lib.nix as lib (builtins only: option types carry nixpkgs' type descriptions),
# walks its options attribute, into submodules, and returns every declaration with what its
# users show: path, type, default, description, declaring file and position, and the feature it
# belongs to (hub.features.<feature>.<name>).
#
# Its users:
#   nix/options-check.nix (the offline option check, docs:options) imports it for every module
#     file it checks, with the check's fake config and options as module arguments;
#   internal/features (features:list -options, features:show, docs:features) evaluates it for the
#     feature modules of a registry (modules/features.toml, or a test registry), where config and
#     pkgs are throws, so a default computed from them shows as computed unless it has a
#     defaultText:
#
#   nix-instantiate --eval --strict --json nix/option-declarations.nix -A declarations --argstr registryFile modules/features.toml
{
  # The feature registry: nix/features-module.nix declares its features' enable options, and by
  # default the files read are its modules. Read only when needed.
  registryFile
, # What the files' paths are relative to; default: the registry's directory (its modules' paths).
  root ? dirOf registryFile
, # [ { path; kind; } ], kind module (a NixOS module) or features-module (nix/features-module.nix:
  # { registry, modulesDir } -> module); default: every module the registry names.
  files ? null
, # The module arguments besides lib (config, options, pkgs, utils, modulesPath); those not given
  # are throws, an empty options set and modulesPath.
  args ? { }
}:
let
  lib = import ./options-lib.nix;
  inherit (builtins) attrNames attrValues concatMap concatStringsSep filter length listToAttrs mapAttrs tryEval typeOf;

  registry = builtins.fromTOML (builtins.readFile registryFile);
  registryModules = attrNames (listToAttrs (map (f: { name = f.module; value = null; }) (filter (f: f ? module) (attrValues registry.features))));
  files' = if files != null then files else map (path: { inherit path; kind = "module"; }) registryModules;

  moduleArgs = {
    inherit lib;
    config = throw "option declarations: no configuration offline";
    pkgs = throw "option declarations: no packages offline";
    utils = throw "option declarations: no utils offline";
    options = { };
    modulesPath = "/offline-nixpkgs/nixos/modules";
  } // args;

  # A module function gets the arguments it names (all of them when it names none).
  callModule = m:
    let fargs = builtins.functionArgs m;
    in
    if builtins.isFunction m then m (if fargs == { } then moduleArgs else builtins.intersectAttrs fargs moduleArgs)
    else m;

  # A file's modules (one body each): module and features-module files.
  fileModules = f:
    let imported = import (root + "/${f.path}");
    in
    if f.kind == "module" then [ (callModule imported) ]
    else if f.kind == "features-module" then [ (callModule (imported { inherit registry; modulesDir = dirOf registryFile; })) ]
    else throw "option declarations: ${f.path} is a ${f.kind} file, which declares no options";

  # --- the walk -----------------------------------------------------------------------------------
  isOption = v: builtins.isAttrs v && (v._type or null) == "option";
  optionDecls = prefix: attrs: concatMap
    (n:
      let
        v = attrs.${n};
        r = tryEval (builtins.isAttrs v);
        path = prefix ++ [ n ];
      in
      if !(r.success && r.value) then [ ]
      else if isOption v then [{ inherit path; decl = v; pos = builtins.unsafeGetAttrPos n attrs; }]
        ++ subOptionDecls path v.type
      else optionDecls path v)
    (attrNames attrs);
  # Options inside submodule types, under nixpkgs' documentation name segments: <name> for
  # attribute sets, * for lists.
  subOptionDecls = path: t:
    let
      elemPh = if (t.name or "") == "listOf" then "*" else "<name>";
      sub = t._hubSubOptions or null;
      elem = t._hubElem or null;
    in
    if sub != null then optionDecls path sub
    else if elem != null && (elem._hubSubOptions or null) != null then optionDecls (path ++ [ elemPh ]) elem._hubSubOptions
    else [ ];

  # --- what users show of a declaration -------------------------------------------------------------
  # The default: its defaultText (a literalExpression's text), else the default as JSON-able data
  # with what has no JSON form (functions, packages, values that read configuration offline) named
  # in angle brackets, and computed saying whether any part was so named; null without a default.
  docValue = decl:
    let dt = tryEval (decl.defaultText or null);
    in
    if dt.success && dt.value != null then { text = if builtins.isAttrs dt.value then dt.value.text or "" else toString dt.value; }
    else if decl ? default then let d = docData 0 decl.default; in { value = d.v; computed = !d.data; }
    else null;
  # { v; data; }: v the JSON-able form, data whether it is the value itself (no <...> stand-in).
  named = s: { v = s; data = false; };
  docData = depth: v:
    let r = tryEval v;
    in
    if !r.success || depth > 8 then named "<computed>"
    else
      let x = r.value; t = typeOf x;
      in
      if t == "lambda" || t == "primop" then named "<function>"
      else if t == "path" then { v = toString x; data = true; }
      else if t == "list" then
        let items = map (docData (depth + 1)) x;
        in { v = map (i: i.v) items; data = builtins.all (i: i.data) items; }
      else if t == "set" then
        let ty = tryEval (x._type or null); drv = tryEval ((x.type or null) == "derivation");
        in
        if !ty.success || !drv.success then named "<computed>"
        else if ty.value == "literalExpression" then named "<${x.text}>"
        else if ty.value != null then named "<computed>"
        else if drv.value then named "<package>"
        else
          let items = mapAttrs (n: docData (depth + 1)) x;
          in { v = mapAttrs (n: i: i.v) items; data = builtins.all (i: i.data) (attrValues items); }
      else if t == "string" then { v = builtins.unsafeDiscardStringContext x; data = true; }
      else { v = x; data = true; };

  description = decl:
    let r = tryEval (decl.description or "");
    in
    if !r.success then ""
    else if builtins.isString r.value then r.value
    else if builtins.isAttrs r.value && builtins.isString (r.value.text or null) then r.value.text
    else "";

  isFeatureOption = path: length path > 3 && builtins.elemAt path 0 == "hub" && builtins.elemAt path 1 == "features";

  # Every declaration of every file, with decl (the option attribute set itself) for the check's
  # fake config.
  decls = concatMap
    (f: concatMap
      (body: map
        (d: d // {
          file = f.path;
          type = d.decl.type.description or "unspecified value";
          description = description d.decl;
          default = docValue d.decl;
          # hub.features.<feature>.<name>: the feature, and the option's name within it.
          feature = if isFeatureOption d.path then builtins.elemAt d.path 2 else null;
          name = concatStringsSep "." (if isFeatureOption d.path then builtins.genList (i: builtins.elemAt d.path (i + 3)) (length d.path - 3) else d.path);
        })
        (optionDecls [ ] (body.options or { })))
      (fileModules f))
    files';
in
{
  inherit callModule fileModules decls;
  # decls as JSON-able data.
  declarations = map (d: removeAttrs d [ "decl" ]) decls;
}
