# The offline proof that a project's shell has the host's toolchain: for every language of
# nix/languages.nix, the package attribute paths that the host feature's module
# (modules/development/languages/<name>.nix, enabled, with no extraPackages) installs and those
# devShells.<system>.<name> (nix/language-shells.nix) has, evaluated with builtins only in a
# package set of markers, beside the declared list, and the environment. internal/devshell's tests
# require the three lists equal and every value fit for pam_env.
let
  languages = import ./languages.nix;
  lib = import ./options-lib.nix;
  split = s: builtins.filter builtins.isString (builtins.split "\\." s);
  # { a = { b = { hubPackage = "a.b"; }; }; ... } for every declared path.
  nest = path: parts:
    if parts == [ ] then { hubPackage = path; outPath = "/nix/store/marker-${path}"; }
    else { ${builtins.head parts} = nest path (builtins.tail parts); };
  merge = a: b: a // builtins.mapAttrs (n: v: if builtins.isAttrs v && a ? ${n} then merge a.${n} v else v) b;
  markers = builtins.foldl' merge { }
    (map (p: nest p (split p)) (builtins.concatMap (l: l.packages) (builtins.attrValues languages)));
  # The environments also read a package's source, which is no package to install.
  pkgs = markers // {
    mkShell = args: args;
    rustPlatform.rustLibSrc = "/nix/store/marker-rust-lib-src";
  };
  # The definitions of a module's config, through the markers of mkIf and mkMerge (conditions
  # are not consulted: the check enables the feature and its language-specific options are off).
  defs = v:
    if v._type or null == "if" then defs v.content
    else if v._type or null == "merge" then builtins.concatMap defs v.contents
    else [ v ];
  moduleConfig = name: (import (../modules/development/languages + "/${name}.nix")) {
    inherit lib pkgs;
    config.hub.features."lang-${name}" = {
      enable = true;
      extraPackages = [ ];
      neovim = true;
      vscode = true;
      terraform = false;
    };
  };
  paths = map (p: p.hubPackage);
in
builtins.mapAttrs
  (name: lang: {
    declared = lang.packages;
    module = paths (builtins.concatMap (d: d.environment.systemPackages or [ ]) (defs (moduleConfig name).config));
    shell = paths (import ./language-shells.nix { inherit pkgs; }).${name}.packages;
    env = lang.env pkgs;
  })
  languages
