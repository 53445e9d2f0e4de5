# The value at a dotted attribute path ("ocamlPackages.ocaml-lsp") of a set: how nix/languages.nix
# names packages and VS Code extensions. Builtins only.
set: path: builtins.foldl' (s: a: s.${a}) set (builtins.filter builtins.isString (builtins.split "\\." path))
