# devShells.<system>.<language>: a project's shell with exactly the toolchain the host feature
# lang-<language> installs (nix/language-packages.nix), and its environment exported with $HOME
# expanded. `go tool mage dev:shell NAME` enters one; a project can also use
# `use flake <hub checkout or flake URL>#NAME` in its .envrc.
{ pkgs }:
builtins.mapAttrs
  (name: lang: pkgs.mkShell {
    name = "hub-${name}";
    packages = import ./language-packages.nix pkgs name;
    shellHook = builtins.concatStringsSep "\n" (map
      (v: ''export ${v}="${(lang.env pkgs).${v}}"'')
      (builtins.attrNames (lang.env pkgs)));
  })
  (import ./languages.nix)
