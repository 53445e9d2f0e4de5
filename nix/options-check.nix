# The evaluation half of the offline option check (internal/nixoptions; docs/features.md, "Options
# against nixos-25.11"). nixpkgs cannot be fetched everywhere, so instead of a real nixosSystem
# this imports each of the hub's module files with stand-ins:
#
#   lib     nix/options-lib.nix: inert mkIf/mkMerge/mkOverride markers, option types that
#           carry nixpkgs' type descriptions, pure helpers;
#   config  a tree with one leaf per option of the manifest (nix/options-25.11.json, paths sent
#           by internal/nixoptions) and per option the hub declares itself. Reading a nixpkgs option
#           throws, which the walk below catches with tryEval; reading a hub option gives its
#           default; reading a path that is no option at all is an ordinary "attribute missing"
#           error, which stops nix-instantiate with file:line:col and is how internal/nixoptions
#           finds bad reads (it then re-runs with that name made readable, to find the next);
#   pkgs    a throw: no package is ever needed to know where a definition goes.
#
# Output: what each file defines, as a "shape" (kinds, scalar values, attribute positions), for
# every host; internal/nixoptions walks the shapes against the manifest. Nothing here knows which
# options exist in nixpkgs: that decision is Go's, in one place. Also the hub's own declarations,
# as nix/option-declarations.nix (the one reader of them, which calls the module files) reads them.
#
#   nix-instantiate --eval --strict --json nix/options-check.nix --argstr requestFile REQ.json
#
# REQ.json: { root; files = [ { path; kind } ]; hosts = [ name ]; options = [ { path; opaque; type } ];
# extraNames = [ name ] }, kind one of module | features-module | system (see internal/nixoptions).
{ requestFile }:
let
  request = builtins.fromJSON (builtins.readFile requestFile);
  root = /. + request.root;
  lib = import ./options-lib.nix;
  inherit (builtins) attrNames filter head tail length concatMap mapAttrs listToAttrs tryEval typeOf;

  hostToml = name: builtins.fromTOML (builtins.readFile (root + "/hosts/${name}/host.toml"));
  fleetToml = if builtins.pathExists (root + "/hosts/fleet.toml") then builtins.fromTOML (builtins.readFile (root + "/hosts/fleet.toml")) else { };

  noValue = path: throw "hub options check: ${builtins.concatStringsSep "." path} has no value offline";

  # --- option trees ---------------------------------------------------------------------------
  # A node is { opt = null | { opaque; value }; children = { name = node; }; }. Leaves, freeform
  # options and attribute sets of submodules are opaque: reading them yields the option's value
  # (a throw for nixpkgs, the default for the hub), not a set of sub-options.
  emptyNode = { opt = null; children = { }; };
  insert = node: path: opt:
    if path == [ ] then node // { opt = if node.opt == null then opt else node.opt; }
    else node // {
      children = node.children // {
        ${head path} = insert (node.children.${head path} or emptyNode) (tail path) opt;
      };
    };
  fromList = entries: builtins.foldl' (t: e: insert t e.path e.opt) emptyNode entries;

  nixpkgsEntries = map
    (o: { inherit (o) path; opt = { inherit (o) opaque type; value = noValue o.path; }; })
    request.options;

  # The options argument: the manifest's options as option attribute sets (what a module can
  # ask of them offline is whether they exist and their type), groups as attribute sets.
  realizeOptions = node:
    if node.opt != null then { _type = "option"; type.description = node.opt.type; }
    else mapAttrs (n: realizeOptions) node.children;
  optionsArg = realizeOptions (fromList nixpkgsEntries);

  # --- module files ---------------------------------------------------------------------------
  modulesPath = "/offline-nixpkgs/nixos/modules";
  externalModule = name: { _hubExternal = name; };
  # nixosSystem returns its arguments. Its config is the fake one (nix/installer.nix reads the
  # installed host's fileSystems), except that config.system.build.{toplevel,isoImage} lead
  # back to the arguments, because nix/host.nix and nix/installer.nix select those outputs.
  nixosSystem = config: args:
    let
      r = {
        _hubSystem = args;
        config = config // { system = (config.system or { }) // { build = { toplevel = r; isoImage = r; }; }; };
      };
    in
    r;
  offlineNixpkgs = config: {
    outPath = "/offline-nixpkgs";
    lib = lib // { nixosSystem = nixosSystem config; };
  };
  offlineFlake = name: {
    outPath = "/offline-${name}";
    nixosModules = { default = externalModule name; ${name} = externalModule name; host = externalModule name; };
  };

  # What a module defines: its config attribute, or its whole body when it has neither options
  # nor config (hosts' default.nix, hardware-configuration.nix).
  definitions = body:
    if body ? config || body ? options then body.config or { }
    else removeAttrs body [ "imports" "_file" "key" "disabledModules" "meta" "freeformType" ];

  # The one reader of option declarations (nix/option-declarations.nix), with this config: it
  # also calls the module files, so what a file defines is read from the same call.
  reader = config: import ./option-declarations.nix {
    registryFile = root + "/modules/features.toml";
    inherit root;
    files = filter (f: f.kind != "system") request.files;
    args = {
      inherit config modulesPath;
      pkgs = throw "hub options check: pkgs is not available offline";
      options = optionsArg;
      utils = throw "hub options check: utils is not available offline";
    };
  };

  # A file's modules: [ { body } ], by kind.
  fileModules = config: hostName: f:
    let
      imported = import (root + "/${f.path}");
      sysArgs = {
        nixpkgs = offlineNixpkgs config;
        agenix = offlineFlake "agenix";
        lanzaboote = offlineFlake "lanzaboote";
        microvm = offlineFlake "microvm";
        overlay = final: prev: { };
        inherit root;
        revision = null;
      };
    in
    if f.kind == "module" || f.kind == "features-module" then (reader config).fileModules f
    else if f.kind == "system" then
      let
        fargs = builtins.functionArgs imported;
        sys = (imported (builtins.intersectAttrs fargs sysArgs)) hostName;
      in
      # Path and string modules are files (checked on their own, or nixpkgs'); external ones are
      # agenix's and lanzaboote's.
      map (reader config).callModule (filter (m: !(builtins.isPath m || builtins.isString m || m ? _hubExternal)) sys._hubSystem.modules)
    else throw "hub options check: unknown kind ${f.kind} of ${f.path}";

  # --- the fake config --------------------------------------------------------------------------
  hubDecls = config: (reader config).decls;

  realize = path: node:
    if node.opt != null && (node.opt.opaque || node.children == { }) then node.opt.value
    else
      listToAttrs (map (n: { name = n; value = throw "hub options check: ${n} is no option here"; }) request.extraNames)
      // mapAttrs (n: realize (path ++ [ n ])) node.children;

  # Per host: hub.host is what nix/host.nix sets, so host.toml's data (backup sets) is walked.
  configFor = hostName:
    let
      toml = hostToml hostName;
      config = realize [ ] (fromList (hubEntries ++ nixpkgsEntries));
      hubEntries = map
        (d: {
          inherit (d) path;
          opt = {
            opaque = true;
            value =
              if d.path == [ "hub" "host" "name" ] then hostName
              else if d.path == [ "hub" "host" "toml" ] then toml
              else if d.path == [ "hub" "host" "fleet" ] then fleetToml
              # Unknown rather than the host's resolution: every module is walked on every host,
              # including features no host enables yet.
              else if length d.path == 4 && head d.path == "hub" && builtins.elemAt d.path 1 == "features" && builtins.elemAt d.path 3 == "enable"
              then noValue d.path
              else d.decl.default or (noValue d.path);
          };
        })
        (hubDecls config);
    in
    config;

  # --- shapes ---------------------------------------------------------------------------------
  # A definition's shape, forcing only what can be forced: anything that throws (a read of a
  # nixpkgs option, pkgs) becomes { k = "unknown"; }. Conditions of mkIf are never forced.
  shape = depth: v:
    let r = tryEval v;
    in
    if !r.success then { k = "unknown"; }
    else if depth > 40 then { k = "unknown"; }
    else
      let
        x = r.value;
        t = typeOf x;
      in
      if t == "set" then
        let ty = tryEval (x._type or null);
        in
        if !ty.success then { k = "unknown"; }
        # A condition that is known to be false guards a definition that need not make sense
        # (builtins.readFile null): it is not forced, and Nix could not catch its errors anyway.
        else if ty.value == "if" then
          # nixlint: allow bool-compare (a condition need not be a bool; only false counts)
          let c = tryEval (x.condition == false);
          in { k = "if"; s = if c.success && c.value then { k = "unknown"; } else shape (depth + 1) x.content; }
        else if ty.value == "override" then { k = "override"; p = x.priority; s = shape (depth + 1) x.content; }
        else if ty.value == "order" then { k = "order"; p = x.priority; s = shape (depth + 1) x.content; }
        else if ty.value == "merge" then
          let items = tryEval x.contents;
          in if items.success then { k = "merge"; items = map (shape (depth + 1)) items.value; } else { k = "unknown"; }
        else if ty.value != null then { k = "marker"; t = ty.value; }
        else if (tryEval (x.type or null == "derivation")).value or false then { k = "package"; }
        else {
          k = "attrs";
          attrs = mapAttrs
            (n: v: { pos = builtins.unsafeGetAttrPos n x; s = shape (depth + 1) v; })
            x;
        }
      else if t == "list" then { k = "list"; items = map (shape (depth + 1)) x; }
      else if t == "string" then { k = "string"; v = builtins.unsafeDiscardStringContext x; }
      else if t == "path" then { k = "path"; v = toString x; }
      else if t == "lambda" || t == "primop" then { k = "function"; }
      else { k = t; v = x; };

  fileShapes = hostName:
    let config = configFor hostName;
    in concatMap
      (f: map (body: { file = f.path; host = hostName; s = shape 0 (definitions body); }) (fileModules config hostName f))
      request.files;
in
{
  defs = concatMap fileShapes request.hosts;
  # The declarations (for the index of hub options and the options reference, docs:options).
  options = (reader (configFor (head request.hosts))).declarations;
  libNames = attrNames (offlineNixpkgs { }).lib;
  typeNames = attrNames lib.types;
  intNames = attrNames lib.types.ints;
}
