# OCaml: compiler, dune, ocaml-lsp, ocamlformat; packages, servers, extensions and environment in
# nix/languages.nix.
import ../../../nix/language-module.nix "ocaml" { }
