# The packages of one language of nix/languages.nix, resolved in a package set: the one function
# the host feature (nix/language-module.nix) and the project shell (nix/language-shells.nix) use,
# so both install the same list. Builtins only: the offline check passes a package set of markers.
pkgs: name:
let
  lang = (import ./languages.nix).${name};
  attrPath = s: builtins.filter builtins.isString (builtins.split "\\." s);
in
map (p: builtins.foldl' (set: a: set.${a}) pkgs (attrPath p)) lang.packages
