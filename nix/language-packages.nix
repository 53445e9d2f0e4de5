# The packages of one language of nix/languages.nix, resolved in a package set: the one function
# the host feature (nix/language-module.nix) and the project shell (nix/language-shells.nix) use,
# so both install the same list. Builtins only: the offline check passes a package set of markers.
pkgs: name:
map (import ./attr-path.nix pkgs) (import ./languages.nix).${name}.packages
