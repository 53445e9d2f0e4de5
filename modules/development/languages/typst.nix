# Typst: compiler, tinymist language server, typstyle; packages, servers, extensions and environment
# in nix/languages.nix.
import ../../../nix/language-module.nix "typst" { }
